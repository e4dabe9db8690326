namespace NodeDb.Orleans.Silo.Admin;

/// <summary>The silo's admin listener (health endpoints, Prometheus scrape endpoint). Bound from the <c>Admin</c> section.</summary>
public sealed class AdminSettings
{
    public const string SectionName = "Admin";

    /// <summary>The address Kestrel binds. Defaults to <c>127.0.0.1</c>; use <c>0.0.0.0</c> when probes or a scraper come from outside the host (a Kubernetes pod).</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Defaults to 29111 (beside the silo's 22111 and the gateway's 32111). <c>0</c> takes any free port (the log names it).</summary>
    public int Port { get; set; } = 29111;

    /// <summary>Readiness fails when the tick loop has not woken for this long. Defaults to 5 s (it wakes every second).</summary>
    public TimeSpan TickStaleAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Readiness fails when the schedules' storage does not answer a read within this time. Defaults to 3 s.</summary>
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Fails start-up with a message naming the setting and its value.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Admin:Port {Port} is out of range: use 0 (any free port) or 1 to 65535.");
        }

        if (!System.Net.IPAddress.TryParse(Address, out _))
        {
            throw new ArgumentException($"Admin:Address '{Address}' is not an IP address: use 127.0.0.1 (default) or 0.0.0.0.");
        }

        if (TickStaleAfter < TimeSpan.FromSeconds(2))
        {
            throw new ArgumentException($"Admin:TickStaleAfter {TickStaleAfter} is too short: the tick loop wakes once a second, so use 2 s or more.");
        }

        if (StorageTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Admin:StorageTimeout {StorageTimeout} must be positive.");
        }
    }

    /// <summary>The URL Kestrel listens on.</summary>
    public string Url => $"http://{(Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]" : Address)}:{Port}";
}
