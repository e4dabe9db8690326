using System.Globalization;
using NodeDb.Orleans.Benchmarks.NodeDb;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// S2's headline: N schedules due in the same second, each running the one-row INSERT with the real
/// <c>SqlJobRunner</c> on the embedded default (SQLite, 100 schedules per tenant), shipped defaults; measured from history.
/// </summary>
public static class RealBurstScenario
{
    private const int PerTenant = 100;
    private const string Prefix = "bt";

    public static async Task<LoadTable> RunAsync(BenchSettings settings, TextWriter log)
    {
        var n = settings.S2Schedules;
        var perTenant = Math.Min(PerTenant, n);
        var tenantCount = (n + perTenant - 1) / perTenant;
        log.WriteLine($"S2: {n} schedules due in the same second, real runner on SQLite…");
        await using var silo = await NodeDbSilo.StartAsync(sql: SqlTarget.Sqlite);
        var tenants = Enumerable.Range(0, tenantCount).Select(i => ScheduleSetup.TenantOf(i * perTenant, perTenant, Prefix)).ToList();
        await TenantDatabases.PrepareAsync(silo, tenants, server: null);
        var at = await BurstPlan.InstantAsync(silo.Grains, n, settings);
        var names = ScheduleSetup.Names("b", n);
        var created = await ScheduleSetup.CreateAsync(
            silo.Grains, names, BurstScenario.CronosAt(at), perTenant, settings.SetupConcurrency, Prefix, ScheduleSetup.InsertBody);
        var slack = at - DateTimeOffset.UtcNow;

        // Done when every run has committed; a Rejected run never does, so the wait ends past the grace period.
        var deadline = at + TimeSpan.FromSeconds(5) + settings.Stragglers;
        while (DateTimeOffset.UtcNow < deadline && (DateTimeOffset.UtcNow < at || await TenantDatabases.CommittedAsync(silo, tenants) < n))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        var loadAverage = BenchmarkRun.LoadAverage();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var (history, once, _) = await SqlWorkload.MeasureAsync(silo, SqlWorkload.Schedules(names, perTenant, Prefix), at, at.AddSeconds(1), n);

        var table = new LoadTable($"S2 real burst: {n} schedules due in the same second T, each running `{ScheduleSetup.InsertBody}` with the real SqlJobRunner");
        table.Add(string.Create(CultureInfo.InvariantCulture, $"{tenantCount} tenant{(tenantCount == 1 ? "" : "s")} × {perTenant}, SQLite ({n} at T)"), history, once, p99TargetMs: 250, burst: true);
        table.Note(string.Create(CultureInfo.InvariantCulture,
            $"Set up {n} schedules in {created.TotalSeconds:0.0} s; T came {slack.TotalSeconds:0.0} s after setup ended{(slack < TimeSpan.FromSeconds(1) ? " (WARNING: setup load overlapped the burst)" : "")}. " +
            $"Rows: {history.Statuses}; without a row: {history.Missing}; {once.Ledger} ledger rows, {once.Effects} fx rows. " +
            $"Warnings logged: {silo.Logs.Total} ({silo.Logs.Summary()}); load average after the burst {loadAverage}."));
        table.Note("Shipped defaults: MaxConcurrentJobs 32, MaxConcurrentRunsPerTenant 16, Grace 5 s, so the burst waits in the fair queue; the p99 target is S2's (≤ 250 ms). Last commit after T: the last Succeeded row's FinishedAt.");
        return table;
    }
}
