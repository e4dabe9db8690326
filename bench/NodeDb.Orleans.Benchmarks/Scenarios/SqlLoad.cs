namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>One headline load of S1: tenants × every-second schedules with the one-row INSERT body, on one engine.</summary>
public sealed record SqlLoad(int Tenants, int PerTenant, bool Postgres = false)
{
    public int Schedules => Tenants * PerTenant;

    /// <summary>Runs a second (every schedule fires every second).</summary>
    public int RunsPerSecond => Schedules;

    public string Label => $"{Tenants} tenant{(Tenants == 1 ? "" : "s")} × {PerTenant}, {(Postgres ? "PostgreSQL" : "SQLite")} ({RunsPerSecond}/s)";

    /// <summary>Issue 15's lateness bound: p99 ≤ 50 ms at 100 runs a second, ≤ 250 ms at 1,000.</summary>
    public double P99TargetMs => RunsPerSecond <= 100 ? 50 : 250;
}
