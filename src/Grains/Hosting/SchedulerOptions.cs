namespace NodeDb.Orleans.Grains.Hosting;

/// <summary>How the scheduler decides and fires occurrences on this silo. Bound from the <c>Scheduler</c> section.</summary>
public sealed class SchedulerOptions
{
    public const string SectionName = "Scheduler";

    /// <summary>The zone of schedules created without one: an IANA id or <c>±HH:MM</c>. Defaults to <c>UTC</c>.</summary>
    public string DefaultTimeZone { get; set; } = "UTC";

    /// <summary>A late tick within this span of an occurrence is on time, not a miss. Defaults to 5 s.</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most missed occurrences MISSED = QUEUE replays. Defaults to 100.</summary>
    public int DefaultQueueCap { get; set; } = 100;

    /// <summary>The most individual Missed rows one observation writes; the rest become one summary row. Defaults to 100.</summary>
    public int MissedRowCap { get; set; } = 100;

    /// <summary>
    /// The most transactions open at once against tenant databases on this silo (NodeDB's <c>max_concurrent_jobs</c>): a
    /// run holds a slot while it runs, a tenant writer's lane one for every run it commits in a group
    /// (<see cref="Running.RunSlot"/>). A run that finds every slot busy waits in a queue fair across tenants and is
    /// Rejected only if it cannot start within <see cref="Grace"/> of its instant. Defaults to 32.
    /// </summary>
    public int MaxConcurrentJobs { get; set; } = 32;

    /// <summary>
    /// The floor of the .NET thread pool's worker threads this silo sets at start; null (the default) for
    /// <see cref="MaxConcurrentJobs"/> + 16, 0 to leave the runtime's (one per core). SQLite has no asynchronous I/O: a
    /// tenant writer's lane, the grain-state and history commit queues and reminders block a pool thread for each
    /// statement and <c>fsync</c>. With one thread per core the pool starves under load (every thread blocked in SQLite
    /// while grain turns queue behind them) and only grows by about one thread a second.
    /// </summary>
    public int? MinWorkerThreads { get; set; }

    /// <summary>
    /// The most bodies of one tenant running at once on this silo, so a tenant with long bodies cannot hold every slot;
    /// its other runs wait in the queue, which serves tenants round-robin. Defaults to 16 (half of the default cap).
    /// </summary>
    public int MaxConcurrentRunsPerTenant { get; set; } = 16;

    /// <summary>The time budget of a run when the schedule sets none. Defaults to 300 s (NodeDB's).</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>The most schedules one tenant may have; one more CREATE is refused naming this limit. Defaults to 10,000.</summary>
    public int MaxSchedulesPerTenant { get; set; } = 10_000;

    /// <summary>
    /// The shortest gap allowed between two occurrences of a schedule (checked over its next 100 occurrences at CREATE
    /// and ALTER); a tighter cron is refused naming this limit. Defaults to 1 s, the cron resolution.
    /// </summary>
    public TimeSpan MinimumInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest schedule body, in characters. Defaults to 65,536.</summary>
    public int MaxBodyLength { get; set; } = 64 * 1024;

    /// <summary>The longest owner (the principal a run acts for), in characters. Defaults to 128.</summary>
    public int MaxOwnerLength { get; set; } = 128;

    /// <summary>The longest TARGET and TIME ZONE texts, in characters. Defaults to 256.</summary>
    public int MaxTextOptionLength { get; set; } = 256;

    /// <summary>The longest pause note, in characters. Defaults to 1,024.</summary>
    public int MaxNoteLength { get; set; } = 1024;

    /// <summary>The longest TIMEOUT a schedule may ask for. Defaults to 1 day; at most 7 days (the runner's ceiling).</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The most RETRIES a schedule may ask for. Defaults to 10.</summary>
    public int MaxRetries { get; set; } = 10;

    /// <summary>Retries after the first attempt when the schedule sets none. Defaults to 1 (NodeDB's).</summary>
    public int DefaultRetries { get; set; } = 1;

    /// <summary>
    /// Period of the reminder that re-activates every enabled schedule after a failure the wake registry missed.
    /// Defaults to 1 h: longer than Orleans' reminder loading window (10 min), so an idle schedule's reminder holds no
    /// timer between ticks, and each tick re-activates an idle schedule, so the period sets that cost (N / period).
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How far ahead of an occurrence its schedule is poked, claims it (the durable write) and hands it to the
    /// dispatcher, which starts it at the occurrence's instant. Takes the claim write and the grain call off the
    /// punctuality path, as Quartz.NET acquires its triggers ahead. 0 fires at the instant, claim first. Only a
    /// schedule with nothing in the way arms ahead (no backlog, not paused, and no run in flight unless OVERLAP = ALLOW);
    /// the health gate is read when it arms; a pause or a disable cancels what is armed. Defaults to 3 s (Quartz.NET
    /// acquires its triggers up to 30 s ahead).
    /// </summary>
    public TimeSpan ArmAhead { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Whether the tick loop runs. Tests turn it off and drive <c>TickOnceAsync</c> with a fake clock. Defaults to true.</summary>
    public bool AutoTick { get; set; } = true;

    /// <summary>How long a health report stays valid; an older one is treated as absent. Defaults to 30 s.</summary>
    public TimeSpan HealthStaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Refuse to fire when a group has no fresh report (NodeDB fails open). Defaults to false.</summary>
    public bool HealthFailClosed { get; set; }

    /// <summary>
    /// vShard ranges to replication groups, e.g. <c>{"0-511": "g1", "512-1023": "g2"}</c>.
    /// vShards not listed belong to group <c>0</c>. Defaults to empty (every vShard in group 0, as NodeDB).
    /// </summary>
    public Dictionary<string, string> Routing { get; set; } = [];

    /// <summary>Newest history rows kept per schedule. Defaults to 1,000.</summary>
    public int HistoryKeepPerSchedule { get; set; } = 1000;

    /// <summary>
    /// The most history rows a schedule keeps in its own state while history is unavailable; more spill to
    /// chunk grains of this size, so the state every claim rewrites stays small. Defaults to 256.
    /// </summary>
    public int OutboxCap { get; set; } = 256;

    /// <summary>History rows older than this are deleted. Defaults to 30 days.</summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a schedule's turn waits for its history append before letting it finish in the background: history
    /// slower than this (a busy tenant, a history grain moving off a stopping silo) no longer delays the schedule's next
    /// occurrence. The rows stay in the schedule's state until history has them. Defaults to 200 ms.
    /// </summary>
    public TimeSpan HistoryWait { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long shutdown waits for runs in flight before cancelling them. Defaults to 10 s.</summary>
    public TimeSpan ShutdownDrain { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a stopping silo spends handing its schedules, and the runs it armed but has not started, to the active
    /// silos that remain, before it stops firing; zero turns the hand-off off (schedules then wait for the failure path).
    /// Whatever is not handed over in time is settled by the survivors as after a crash. Defaults to 15 s.
    /// </summary>
    public TimeSpan ShutdownHandOff { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A run armed for an instant at most this far ahead stays on a stopping silo and starts there during the drain
    /// instead of moving with its schedule: moving it (a state write, an activation on the survivor) can take longer
    /// than the time left before its instant, and would start it late. Runs further ahead move. Zero moves every run
    /// that has not started. Defaults to 1 s; a window longer than <see cref="ShutdownDrain"/> counts as the drain.
    /// </summary>
    public TimeSpan ShutdownKeepWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks every value, naming the option and the value in the message.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException($"Scheduler option {message}");
            }
        }

        Require(Grace >= TimeSpan.Zero, $"Grace = {Grace} must not be negative.");
        Require(DefaultQueueCap >= 1, $"DefaultQueueCap = {DefaultQueueCap} must be at least 1.");
        Require(MissedRowCap >= 0, $"MissedRowCap = {MissedRowCap} must not be negative.");
        Require(MinWorkerThreads is null or (>= 0 and <= 32_767), $"MinWorkerThreads = {MinWorkerThreads} must be between 0 and 32767 (0 leaves the runtime's; unset for MaxConcurrentJobs + 16).");
        Require(MaxConcurrentJobs >= 1, $"MaxConcurrentJobs = {MaxConcurrentJobs} must be at least 1 (0 would reject every run).");
        Require(MaxConcurrentRunsPerTenant >= 1, $"MaxConcurrentRunsPerTenant = {MaxConcurrentRunsPerTenant} must be at least 1.");
        Require(MaxTimeout > TimeSpan.Zero && MaxTimeout <= Schedules.ScheduleValidator.TimeoutCeiling, $"MaxTimeout = {MaxTimeout} must be positive and at most {Schedules.ScheduleValidator.TimeoutCeiling}.");
        Require(DefaultTimeout > TimeSpan.Zero && DefaultTimeout <= MaxTimeout, $"DefaultTimeout = {DefaultTimeout} must be positive and at most MaxTimeout = {MaxTimeout}.");
        Require(MaxBodyLength is >= 16 and <= 16 * 1024 * 1024, $"MaxBodyLength = {MaxBodyLength} must be between 16 and 16 MiB.");
        Require(MaxOwnerLength is >= 1 and <= 4096, $"MaxOwnerLength = {MaxOwnerLength} must be between 1 and 4096.");
        Require(MaxTextOptionLength is >= 1 and <= 4096, $"MaxTextOptionLength = {MaxTextOptionLength} must be between 1 and 4096.");
        Require(MaxNoteLength is >= 1 and <= 1024 * 1024, $"MaxNoteLength = {MaxNoteLength} must be between 1 and 1 MiB.");
        Require(MaxRetries is >= 0 and <= 100, $"MaxRetries = {MaxRetries} must be between 0 and 100.");
        Require(MaxSchedulesPerTenant >= 1, $"MaxSchedulesPerTenant = {MaxSchedulesPerTenant} must be at least 1.");
        Require(MinimumInterval >= TimeSpan.Zero, $"MinimumInterval = {MinimumInterval} must not be negative.");
        Require(DefaultRetries >= 0 && DefaultRetries <= MaxRetries, $"DefaultRetries = {DefaultRetries} must be between 0 and MaxRetries = {MaxRetries}.");
        Require(ArmAhead >= TimeSpan.Zero && ArmAhead <= TimeSpan.FromSeconds(10), $"ArmAhead = {ArmAhead} must be between 0 and 10 s.");
        Require(ReminderPeriod >= TimeSpan.FromSeconds(1), $"ReminderPeriod = {ReminderPeriod} must be at least 1 s.");
        Require(HealthStaleAfter > TimeSpan.Zero, $"HealthStaleAfter = {HealthStaleAfter} must be positive.");
        Require(HistoryKeepPerSchedule >= 1, $"HistoryKeepPerSchedule = {HistoryKeepPerSchedule} must be at least 1.");
        Require(OutboxCap >= 1, $"OutboxCap = {OutboxCap} must be at least 1.");
        Require(ShutdownHandOff >= TimeSpan.Zero && ShutdownHandOff <= TimeSpan.FromMinutes(5), $"ShutdownHandOff = {ShutdownHandOff} must be between 0 and 5 minutes.");
        Require(ShutdownKeepWindow >= TimeSpan.Zero && ShutdownKeepWindow <= TimeSpan.FromSeconds(10), $"ShutdownKeepWindow = {ShutdownKeepWindow} must be between 0 and 10 s.");
        Require(HistoryWait >= TimeSpan.Zero && HistoryWait <= TimeSpan.FromMinutes(1), $"HistoryWait = {HistoryWait} must be between 0 and 1 minute.");
        Require(HistoryRetention > TimeSpan.Zero, $"HistoryRetention = {HistoryRetention} must be positive.");
        Scheduling.ScheduleZone.Parse(DefaultTimeZone);
        Health.ShardRouting.Parse(Routing);
    }
}
