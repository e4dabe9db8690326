namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>One headline load of S1: tenants × every-second schedules with the one-row INSERT body, on one engine.</summary>
public sealed record SqlLoad(int Tenants, int PerTenant, bool Postgres = false)
{
    public int Schedules => Tenants * PerTenant;

    /// <summary>Runs a second (every schedule fires every second).</summary>
    public int RunsPerSecond => Schedules;

    public string Label => $"{Tenants} tenant{(Tenants == 1 ? "" : "s")} × {PerTenant}, {(Postgres ? "PostgreSQL" : "SQLite")} ({RunsPerSecond}/s)";

    /// <summary>Parses <c>TxP</c> (SQLite) or <c>TxPpg</c> (PostgreSQL), e.g. <c>10x100pg</c>: T tenants × P schedules.</summary>
    public static SqlLoad Parse(string text)
    {
        var postgres = text.EndsWith("pg", StringComparison.OrdinalIgnoreCase);
        var parts = (postgres ? text[..^2] : text).Split('x');
        if (parts.Length != 2
            || !int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var tenants) || tenants < 1
            || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var perTenant) || perTenant < 1)
        {
            throw new ArgumentException($"S1 load '{text}' is not TENANTSxSCHEDULES with an optional 'pg', e.g. 10x100 or 10x100pg.", nameof(text));
        }

        return new SqlLoad(tenants, perTenant, postgres);
    }

    /// <summary>Issue 15's lateness bound: p99 ≤ 50 ms at 100 runs a second, ≤ 250 ms at 1,000.</summary>
    public double P99TargetMs => RunsPerSecond <= 100 ? 50 : 250;
}
