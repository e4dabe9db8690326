using System.CommandLine;
using NodeDb.Orleans.Client.Connection;
using NodeDb.Orleans.Client.Output;

namespace NodeDb.Orleans.Client;

/// <summary>What a command body needs: the parsed line, the settings, a connected client, the printer and the tenant the key acts for.</summary>
public sealed class CommandContext(ParseResult parse, ClientSettings settings, IClusterClient client, Printer printer, string tenant)
{
    /// <summary>
    /// What the client sends where a grain method still takes an acting user: the silo replaces it with the key's
    /// principal, so it is never what gets recorded.
    /// </summary>
    public const string ActingUser = "key";

    public ParseResult Parse { get; } = parse;

    public ClientSettings Settings { get; } = settings;

    public IClusterClient Client { get; } = client;

    public Printer Out { get; } = printer;

    public string Tenant { get; } = tenant;

    public string User => ActingUser;

    public ISqlSessionGrain Session => Client.GetGrain<ISqlSessionGrain>(Tenant);

    public IScheduleGrain Schedule(string name) => Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(Tenant, name));
}
