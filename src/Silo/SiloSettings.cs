namespace NodeDb.Orleans.Silo;

/// <summary>How this silo is hosted. Bound from the <c>NodeDb</c> section, environment (<c>NodeDb__Profile</c>) or switches.</summary>
public sealed class SiloSettings
{
    public const string SectionName = "NodeDb";

    /// <summary><c>embedded</c> (default: one machine, SQLite in the data directory) or <c>azure</c> (Azure Table storage).</summary>
    public string Profile { get; set; } = "embedded";

    /// <summary>Where the embedded profile keeps everything. Defaults to <c>.data</c> under the working directory.</summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>Silo-to-silo port. Defaults to 22111 (Orleans' 11111 is often taken).</summary>
    public int SiloPort { get; set; } = 22111;

    /// <summary>Client gateway port. Defaults to 32111 (Orleans' 30000 is often taken).</summary>
    public int GatewayPort { get; set; } = 32111;

    /// <summary>Primary silo for localhost clustering of several embedded silos on one machine; default: this silo.</summary>
    public int PrimarySiloPort { get; set; }

    public string ClusterId { get; set; } = "nodedb";

    /// <summary>Never change it between deployments: stored state and reminders are keyed by it.</summary>
    public string ServiceId { get; set; } = "nodedb";

    /// <summary>Azure Storage connection string for the azure profile (<c>UseDevelopmentStorage=true</c> for Azurite).</summary>
    public string? AzureStorage { get; set; }

    /// <summary>
    /// The azure profile with SQLite tenant databases: the operator's statement that every silo of the cluster shares
    /// this one data directory (one machine, or a shared file system with working locks). Without it such a silo
    /// refuses to start, since per-host copies of a tenant's run ledger would silently break exactly-once.
    /// Defaults to false.
    /// </summary>
    public bool SharedDataDirectory { get; set; }

    /// <summary>Seeds the demo tenant with a schedule that fires every 5 seconds and logs its runs.</summary>
    public bool Demo { get; set; }

    /// <summary>Maps short switches to configuration keys.</summary>
    public static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--profile"] = "NodeDb:Profile",
        ["--data-dir"] = "NodeDb:DataDirectory",
        ["--silo-port"] = "NodeDb:SiloPort",
        ["--gateway-port"] = "NodeDb:GatewayPort",
        ["--primary-port"] = "NodeDb:PrimarySiloPort",
        ["--cluster-id"] = "NodeDb:ClusterId",
        ["--azure-storage"] = "NodeDb:AzureStorage",
        ["--demo"] = "NodeDb:Demo",
        ["--shared-data-dir"] = "NodeDb:SharedDataDirectory",
        ["--admin-port"] = "Admin:Port",
        ["--admin-address"] = "Admin:Address",
    };

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "--demo", "--shared-data-dir" };

    /// <summary>Lets boolean switches stand alone (<c>--demo</c>, <c>--shared-data-dir</c>) by giving them the value the configuration binder needs.</summary>
    public static string[] ExpandFlags(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = new List<string>(args.Length + 1);
        for (var i = 0; i < args.Length; i++)
        {
            result.Add(args[i]);
            if (Flags.Contains(args[i]) && (i + 1 == args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)))
            {
                result.Add("true");
            }
        }

        return [.. result];
    }
}
