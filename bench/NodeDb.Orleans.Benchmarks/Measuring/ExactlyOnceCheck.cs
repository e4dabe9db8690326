namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>
/// Per tenant, over the whole run: Succeeded history rows against ledger rows (one per committed run id) against
/// body effects (<c>fx</c> rows). A body that committed twice, or a Succeeded row without a commit, shows here.
/// </summary>
/// <param name="Ledger">Ledger rows of all tenants.</param>
/// <param name="Effects">fx rows of all tenants.</param>
/// <param name="SucceededRows">Succeeded history rows of all tenants.</param>
/// <param name="ExtraEffects">Σ max(0, effects − ledger): effects beyond one per committed run.</param>
/// <param name="Mismatch">Σ |Succeeded rows − ledger rows|.</param>
public sealed record ExactlyOnceCheck(long Ledger, long Effects, long SucceededRows, long ExtraEffects, long Mismatch)
{
    public static ExactlyOnceCheck Of(IEnumerable<(long Ledger, long Effects, long SucceededRows)> tenants)
    {
        long ledger = 0, effects = 0, succeeded = 0, extra = 0, mismatch = 0;
        foreach (var t in tenants)
        {
            ledger += t.Ledger;
            effects += t.Effects;
            succeeded += t.SucceededRows;
            extra += Math.Max(0, t.Effects - t.Ledger);
            mismatch += Math.Abs(t.SucceededRows - t.Ledger);
        }

        return new ExactlyOnceCheck(ledger, effects, succeeded, extra, mismatch);
    }
}
