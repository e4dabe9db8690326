namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>One headline load of S1: tenants × every-second schedules with the one-row INSERT body, on one engine.</summary>
/// <param name="Slots">A diagnostic: <c>MaxConcurrentJobs</c> for this load instead of the shipped 32 (and half of it per tenant).</param>
public sealed record SqlLoad(int Tenants, int PerTenant, bool Postgres = false, int? Slots = null)
{
    public int Schedules => Tenants * PerTenant;

    /// <summary>Runs a second (every schedule fires every second).</summary>
    public int RunsPerSecond => Schedules;

    public string Label => $"{Tenants} tenant{(Tenants == 1 ? "" : "s")} × {PerTenant}, {(Postgres ? "PostgreSQL" : "SQLite")} ({RunsPerSecond}/s)"
        + (Slots is { } slots ? $", MaxConcurrentJobs {slots} (diagnostic)" : "");

    /// <summary>
    /// Parses <c>TxP</c> (SQLite) or <c>TxPpg</c> (PostgreSQL), e.g. <c>10x100pg</c>: T tenants × P schedules; an optional
    /// <c>@N</c> (<c>10x100pg@128</c>) runs it with N slots instead of the shipped default, as a diagnostic.
    /// </summary>
    public static SqlLoad Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int? slots = null;
        if (text.Split('@') is [var load, var cap])
        {
            if (!int.TryParse(cap, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 2)
            {
                throw new ArgumentException($"S1 load '{text}': the slots after '@' must be a whole number of at least 2.", nameof(text));
            }

            slots = n;
            text = load;
        }

        var postgres = text.EndsWith("pg", StringComparison.OrdinalIgnoreCase);
        var parts = (postgres ? text[..^2] : text).Split('x');
        if (parts.Length != 2
            || !int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var tenants) || tenants < 1
            || !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var perTenant) || perTenant < 1)
        {
            throw new ArgumentException($"S1 load '{text}' is not TENANTSxSCHEDULES with an optional 'pg', e.g. 10x100 or 10x100pg.", nameof(text));
        }

        return new SqlLoad(tenants, perTenant, postgres, slots);
    }

    /// <summary>Issue 15's lateness bound: p99 ≤ 50 ms at 100 runs a second, ≤ 250 ms at 1,000.</summary>
    public double P99TargetMs => RunsPerSecond <= 100 ? 50 : 250;
}
