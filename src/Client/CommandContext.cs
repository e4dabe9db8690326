using System.CommandLine;
using NodeDb.Orleans.Client.Connection;
using NodeDb.Orleans.Client.Output;

namespace NodeDb.Orleans.Client;

/// <summary>What a command body needs: the parsed line, the settings, a connected client and the printer.</summary>
public sealed class CommandContext(ParseResult parse, ClientSettings settings, IClusterClient client, Printer printer)
{
    public ParseResult Parse { get; } = parse;

    public ClientSettings Settings { get; } = settings;

    public IClusterClient Client { get; } = client;

    public Printer Out { get; } = printer;

    public string Tenant => Settings.Tenant;

    public string User => Settings.User;

    public ISqlSessionGrain Session => Client.GetGrain<ISqlSessionGrain>(Tenant);

    public IScheduleGrain Schedule(string name) => Client.GetGrain<IScheduleGrain>(ScheduleKey.Of(Tenant, name));
}
