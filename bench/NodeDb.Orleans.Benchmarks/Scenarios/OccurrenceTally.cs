using NodeDb.Orleans.Tests.Failover;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>The occurrence accounting of every schedule, summed.</summary>
public sealed class OccurrenceTally
{
    public int Occurrences { get; private set; }

    public int Ran { get; private set; }

    public int CaughtUp { get; private set; }

    public int Missed { get; private set; }

    public int Skipped { get; private set; }

    public int Interrupted { get; private set; }

    public int Other { get; private set; }

    public int Withdrawn { get; private set; }

    public int Unaccounted { get; private set; }

    public int Duplicates { get; private set; }

    public List<string> Problems { get; } = [];

    public void Add(OccurrenceAccounting a, int duplicates)
    {
        Occurrences += a.Occurrences;
        Ran += a.Ran;
        CaughtUp += a.CoveredByCatchUp;
        Missed += a.Missed;
        Skipped += a.Skipped;
        Interrupted += a.Interrupted;
        Other += a.Other;
        Withdrawn += a.Withdrawn;
        // Check skips the counters of an occurrence that has no row at all.
        Unaccounted += a.Occurrences - (a.Ran + a.CoveredByCatchUp + a.Missed + a.Skipped + a.Interrupted + a.Other);
        Duplicates += duplicates;
        Problems.AddRange(a.Problems);
    }
}
