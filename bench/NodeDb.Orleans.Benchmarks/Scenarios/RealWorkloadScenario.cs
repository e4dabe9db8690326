using System.Globalization;
using NodeDb.Orleans.Benchmarks.NodeDb;
using NodeDb.Orleans.Benchmarks.Postgres;

namespace NodeDb.Orleans.Benchmarks.Scenarios;

/// <summary>
/// S1's headline: the user's workload of issue 15. Every-second schedules whose body is a one-row INSERT, run by
/// the real <c>SqlJobRunner</c> with the shipped defaults, on the embedded default (SQLite) and on PostgreSQL,
/// measured from the history rows after a warm-up.
/// </summary>
public static class RealWorkloadScenario
{
    public static async Task<LoadTable> RunAsync(BenchSettings settings, TextWriter log)
    {
        var window = (int)settings.LoadWindow.TotalSeconds;
        var table = new LoadTable(string.Create(CultureInfo.InvariantCulture,
            $"S1 real workload: every-second schedules running `{ScheduleSetup.InsertBody}` with the real SqlJobRunner, {settings.Warmup.TotalSeconds:0.#} s warm-up, {window} s measured"));
        PostgresServer? server = null;
        try
        {
            for (var index = 0; index < settings.S1Loads.Count; index++)
            {
                var load = settings.S1Loads[index];
                if (load.Postgres && PostgresServer.FindBinaries() is null)
                {
                    table.Skip(load.Label, "PostgreSQL is not installed (scripts/postgres/install.sh)");
                    continue;
                }

                if (load.Postgres)
                {
                    server ??= await PostgresServer.StartAsync(settings);
                }

                log.WriteLine($"S1: {load.Label}, real runner…");
                try
                {
                    var (history, once, note) = await RunLoadAsync(settings, load, $"l{index}t", load.Postgres ? server : null);
                    var missed = table.Add(load.Label, history, once, load.P99TargetMs);
                    table.Note(note);
                    log.WriteLine(note);
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"S1: … {history.SucceededPercent:0.00} % Succeeded, {history.Rejected} Rejected, p50 {history.P50:0.0} / p99 {history.P99:0.0} / max {history.Max:0.0} ms; {(missed.Count == 0 ? "targets met" : "missed: " + string.Join(", ", missed))}"));
                }
                catch (Exception e) when (e is TimeoutException or OperationCanceledException or InvalidOperationException or NodeDbException)
                {
                    // One load that overwhelms the silo must not hide the others' figures.
                    var reason = $"{e.GetType().Name}: {e.Message.Split('\n')[0]}";
                    table.Fail(load.Label, reason.Length <= 200 ? reason : reason[..197] + "...");
                    log.WriteLine($"S1: … failed: {reason}");
                }
            }
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        table.Note("Measured from the history rows of the occurrences scheduled in the window (`IJobHistoryGrain.QueryAsync`, what `nodedb schedule history` reads): " +
            "lateness is StartedAt − ScheduledAt of the Succeeded rows, StartedAt being when the body began. Duplicates: occurrences with two Succeeded rows, plus fx rows beyond the tenant's ledger rows. " +
            "History ≠ ledger: per tenant, |Succeeded rows − ledger rows| over the whole run, counted after every schedule was disabled.");
        table.Note("The silo runs as src/Silo's embedded profile wires it (SQLite state, reminders and history, `AddNodeDbSql`), with default options: MaxConcurrentJobs 32, MaxConcurrentRunsPerTenant 16, Grace 5 s. " +
            (settings.PostgresAsyncCommit
                ? "PostgreSQL: a throw-away 15 server on loopback with synchronous_commit = off (--pg-async-commit, a diagnostic), one database per tenant (`PostgresConnectionTemplate` … `Database=nodedb_{tenant}`)."
                : "PostgreSQL: a throw-away 15 server on loopback with its durability defaults (fsync and synchronous_commit on), one database per tenant (`PostgresConnectionTemplate` … `Database=nodedb_{tenant}`)."));
        return table;
    }

    private static async Task<(Measuring.HistorySummary History, Measuring.ExactlyOnceCheck Once, string Note)> RunLoadAsync(
        BenchSettings settings, SqlLoad load, string tenantPrefix, PostgresServer? server)
    {
        var target = server is null ? SqlTarget.Sqlite : SqlTarget.Postgres(server.ConnectionString(SqlTarget.PostgresDatabaseOf("{tenant}")));
        await using var silo = await NodeDbSilo.StartAsync(
            load.Slots is { } slots ? o => { o.MaxConcurrentJobs = slots; o.MaxConcurrentRunsPerTenant = slots / 2; } : null,
            sql: target);
        var tenants = Enumerable.Range(0, load.Tenants).Select(i => ScheduleSetup.TenantOf(i * load.PerTenant, load.PerTenant, tenantPrefix)).ToList();
        await TenantDatabases.PrepareAsync(silo, tenants, server);
        var names = ScheduleSetup.Names("p", load.Schedules);
        var setup = await ScheduleSetup.CreateAsync(
            silo.Grains, names, "* * * * * *", load.PerTenant, settings.SetupConcurrency, tenantPrefix, ScheduleSetup.InsertBody);

        var from = Waits.WholeSecondAfter(settings.Warmup);
        var to = from + settings.LoadWindow;
        await Waits.UntilAsync(to + settings.Stragglers);
        var loadAverage = BenchmarkRun.LoadAverage();
        var schedules = SqlWorkload.Schedules(names, load.PerTenant, tenantPrefix);
        var undisabled = await SqlWorkload.DisableAsync(silo.Grains, schedules);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var (history, once, wholeRun) = await SqlWorkload.MeasureAsync(silo, schedules, from, to, load.Schedules * (int)settings.LoadWindow.TotalSeconds);
        var note = string.Create(CultureInfo.InvariantCulture,
            $"{load.Label}: set up in {setup.TotalSeconds:0.0} s; window rows: {history.Statuses}; occurrences without a row: {history.Missing}; " +
            $"whole run (warm-up included): {wholeRun}; {once.Ledger} ledger rows, {once.Effects} fx rows, {once.SucceededRows} Succeeded rows " +
            $"(occurrences with two Succeeded rows {history.Duplicates}, fx rows beyond the ledger {once.ExtraEffects}, Σ|Succeeded − ledger| {once.Mismatch}); " +
            $"{(undisabled > 0 ? $"{undisabled} schedules did not answer the disable call within 5 s (their runs may still have been landing while counted); " : "")}warnings and errors logged: {silo.Logs.Total} ({silo.Logs.Summary()}); load average at the window's end {loadAverage}.");
        return (history, once, note);
    }
}
