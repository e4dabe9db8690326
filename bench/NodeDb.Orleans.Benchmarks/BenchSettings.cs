using NodeDb.Orleans.Benchmarks.Scenarios;

namespace NodeDb.Orleans.Benchmarks;

/// <summary>Sizes and durations of one benchmark run.</summary>
public sealed record BenchSettings
{
    public required string Mode { get; init; }

    /// <summary>S1: schedules firing every second, and for how long they are measured.</summary>
    public int S1Schedules { get; init; } = 100;

    public TimeSpan S1Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>S1 headline: the real-runner loads (issue 15: 1 × 100 and 10 × 100 on SQLite, 10 × 100 on PostgreSQL).</summary>
    public IReadOnlyList<SqlLoad> S1Loads { get; init; } = [new(1, 100), new(10, 100), new(10, 100, Postgres: true)];

    /// <summary>S1 headline: how long the schedules run before the measured window, and the window's length.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan LoadWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Diagnostic (<c>--pg-async-commit</c>): the benchmark's PostgreSQL servers run with <c>synchronous_commit = off</c>,
    /// to tell the disk's fsync cost from the scheduler's. Off by default: a user's commit is durable.
    /// </summary>
    public bool PostgresAsyncCommit { get; init; }

    /// <summary>S5: one-row INSERT jobs due at the same instant on one PostgreSQL, run by NodeDb.Orleans and by pg_cron.</summary>
    public int S5Jobs { get; init; } = 1_000;

    /// <summary>S5: whether to run the pg_cron half (it waits for the next whole minute, so the smoke test leaves it out).</summary>
    public bool S5PgCron { get; init; } = true;

    /// <summary>S2: schedules due in the same second.</summary>
    public int S2Schedules { get; init; } = 10_000;

    /// <summary>S3: idle schedules on one silo, and the length of each idle CPU window.</summary>
    public int S3Schedules { get; init; } = 100_000;

    public TimeSpan S3Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>S4: every-second schedules on the three silo processes, and how many kill rounds (0: S4 is not run).</summary>
    public int S4Schedules { get; init; } = 30;

    public int S4Rounds { get; init; } = 3;

    /// <summary>S4: how long the schedules keep running after the last failover, before they are disabled and counted.</summary>
    public TimeSpan S4Tail { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>S6: every-second schedules on the three silo processes during the rolling restart (0: S6 is not run).</summary>
    public int S6Schedules { get; init; } = 50;

    /// <summary>Whether to add the diagnostic NodeDb.Orleans passes (raised cap, in-memory storage) that explain a miss.</summary>
    public bool Diagnostics { get; init; } = true;

    /// <summary>S1: time between setup and the first measured second, and how long to wait for late starts after the last.</summary>
    public TimeSpan Lead { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan Stragglers { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>P1: plans measured per gap and policy (the walking baseline gets a tenth of them).</summary>
    public int PlanningRepetitions { get; init; } = 50;

    /// <summary>S7: how many durable schedules each bulk-creation row creates (issue 13: 10,000 and 100,000).</summary>
    public IReadOnlyList<int> S7Schedules { get; init; } = [10_000, 100_000];

    /// <summary>S7: only these paths (PerCall, BulkApi, Script); null for all.</summary>
    public IReadOnlyList<string>? S7Paths { get; init; }

    /// <summary>Concurrent create calls while setting schedules up.</summary>
    public int SetupConcurrency { get; init; } = 64;

    // Stragglers past the grace period (5 s), so a run that waited in the queue has its final row when counted.
    public static BenchSettings Full { get; } = new() { Mode = "full", Stragglers = TimeSpan.FromSeconds(6) };

    public static BenchSettings Quick { get; } = new()
    {
        Mode = "quick",
        // The diagnostic passes explain a miss; quick mode stays under two minutes without them.
        Diagnostics = false,
        S1Duration = TimeSpan.FromSeconds(5),
        Warmup = TimeSpan.FromSeconds(2),
        LoadWindow = TimeSpan.FromSeconds(4),
        S2Schedules = 1_000,
        S3Schedules = 5_000,
        S3Window = TimeSpan.FromSeconds(5),
        S7Schedules = [10_000],
        S4Schedules = 9,
        S4Rounds = 1,
    };

    /// <summary>Seconds, not minutes: for the smoke test, which checks the wiring, not the numbers.</summary>
    public static BenchSettings Tiny { get; } = new()
    {
        Mode = "tiny",
        S1Schedules = 5,
        S1Duration = TimeSpan.FromSeconds(1),
        S1Loads = [new(1, 5), new(2, 3, Postgres: true)],
        Warmup = TimeSpan.FromMilliseconds(500),
        LoadWindow = TimeSpan.FromSeconds(1),
        S5Jobs = 20,
        S5PgCron = false,
        Diagnostics = false,
        Lead = TimeSpan.FromMilliseconds(300),
        Stragglers = TimeSpan.FromMilliseconds(500),
        S2Schedules = 20,
        S3Schedules = 50,
        S3Window = TimeSpan.FromSeconds(1),
        S7Schedules = [50],
        SetupConcurrency = 8,
        S4Rounds = 0, // S4 starts Azurite and three silo processes: too slow for a smoke test
        S6Schedules = 0, // so does S6
        PlanningRepetitions = 10,
    };
}
