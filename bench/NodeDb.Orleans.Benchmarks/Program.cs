using NodeDb.Orleans.Benchmarks;
using NodeDb.Orleans.Benchmarks.Scenarios;

// scripts/bench.sh [--quick|--full] [--only s1,s2,s3,s4,s5,s6,s7,w1,p1] [--s7-schedules 10000,100000] [--s1-loads 1x100,10x100,10x100pg] [--pg-async-commit]
if (args.Contains("--timer-probe"))
{
    Console.WriteLine($"Machine: {BenchmarkRun.Machine()}");
    Console.WriteLine(await NodeDb.Orleans.Benchmarks.Measuring.TimerProbe.RunAsync(100_000, TimeSpan.FromSeconds(20)));
    return;
}

var settings = args.Contains("--full") ? BenchSettings.Full : args.Contains("--tiny") ? BenchSettings.Tiny : BenchSettings.Quick;
if (Option("--s3-schedules") is { } s3)
{
    settings = settings with { S3Schedules = int.Parse(s3, System.Globalization.CultureInfo.InvariantCulture) };
}

if (Option("--s7-schedules") is { } s7)
{
    settings = settings with { S7Schedules = [.. s7.Split(',').Select(n => int.Parse(n, System.Globalization.CultureInfo.InvariantCulture))] };
}

if (Option("--s7-paths") is { } paths)
{
    settings = settings with { S7Paths = paths.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
}

if (Option("--s1-loads") is { } loads)
{
    settings = settings with { S1Loads = [.. loads.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(SqlLoad.Parse)] };
}

if (args.Contains("--pg-async-commit"))
{
    settings = settings with { PostgresAsyncCommit = true };
}

var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
var scenarios = only is null ? BenchmarkRun.AllScenarios : only.ToLowerInvariant().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

Console.WriteLine($"NodeDb.Orleans benchmark, {settings.Mode} mode, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"Machine: {BenchmarkRun.Machine()}");
var started = DateTimeOffset.UtcNow;
var tables = await BenchmarkRun.RunAsync(settings, scenarios, Console.Out);
Console.WriteLine();
foreach (var table in tables)
{
    Console.WriteLine(table.Render());
}

Console.WriteLine($"Load average at the end: {BenchmarkRun.LoadAverage()}; took {(DateTimeOffset.UtcNow - started).TotalSeconds:0} s.");
Console.WriteLine($"Targets missed: {tables.Sum(t => t.Missed)}.");

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
