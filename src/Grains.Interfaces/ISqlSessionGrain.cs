using System.Collections.Immutable;

namespace NodeDb.Orleans;

/// <summary>
/// What the console client talks to: runs a script of schedule DDL and tenant SQL for one tenant, previews cron
/// expressions and reports replication-group health. Keyed by tenant.
/// </summary>
/// <remarks>
/// Stateless: the DDL is parsed on the server, so clients need only these contracts. Each statement of a script
/// takes effect before the next one runs; there is no transaction around the whole script.
/// </remarks>
[Alias("nodedb.ISqlSessionGrain")]
public interface ISqlSessionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Parses <paramref name="script"/> (one statement or several separated by <c>;</c>) and runs each statement in
    /// order: schedule DDL against the schedule grains, anything else against the tenant's database.
    /// </summary>
    /// <param name="script">The statements as the user wrote them.</param>
    /// <param name="user">
    /// Who asks; the owner of schedules created and the identity of tenant SQL. From a client, the silo replaces it with
    /// the principal of the presented key, so whatever a client sends here is never recorded.
    /// </param>
    /// <returns>One result per statement, in order.</returns>
    /// <exception cref="NodeDbException">
    /// The first statement that fails stops the script; the message says which statement (and how many ran before it)
    /// and carries the underlying code (<c>syntax_error</c>, <c>invalid_cron</c>, <c>not_found</c>, <c>sql_error</c>…).
    /// </exception>
    /// <remarks>A script may import thousands of schedules (its consecutive CREATEs run side by side), so the response timeout is 5 minutes rather than Orleans' 30 s.</remarks>
    [Alias("Execute")]
    [ResponseTimeout("00:05:00")]
    Task<ImmutableArray<SqlStatementResult>> ExecuteAsync(string script, string user);

    /// <summary>The next <paramref name="count"/> occurrences of a cron expression, read exactly as a schedule would read it.</summary>
    /// <param name="cron">A Cronos expression (five fields, six with leading seconds, or a macro).</param>
    /// <param name="timeZone">An IANA zone or <c>±HH:MM</c>; <see langword="null"/> for the silo's default zone.</param>
    /// <param name="from">Occurrences strictly after this instant; <see langword="null"/> for the silo's now.</param>
    /// <param name="count">How many, 1 to 1,000.</param>
    /// <exception cref="NodeDbException"><c>invalid_cron</c>, <c>invalid_timezone</c>, or <c>invalid_definition</c> for a bad count.</exception>
    [Alias("PreviewCron")]
    Task<CronPreview> PreviewCronAsync(string cron, string? timeZone, DateTimeOffset? from, int count);

    /// <summary>The health verdict of one replication group, or of every group the silo's routing names when <paramref name="group"/> is null.</summary>
    [Alias("GetHealth")]
    Task<ImmutableArray<GroupHealth>> GetHealthAsync(string? group);

    /// <summary>
    /// Every silo of the cluster that is not dead, with the schedules it hosts, its slots in use, its queue and the runs
    /// it holds for their instant: cluster-wide counts, asked of each active silo (a silo that does not answer within a
    /// few seconds is listed as <c>unreachable</c> without counts).
    /// </summary>
    [Alias("GetSilos")]
    Task<ImmutableArray<SiloLoad>> GetSilosAsync();

    /// <summary>
    /// A page of the tenant's schedules by their summaries (next run, last status, paused), searched, filtered and sorted
    /// on the silo, so a list of 10,000 schedules sorted by next run costs one call per silo rather than one per schedule.
    /// Read from the summaries the hosting silos keep; a schedule no silo holds a summary of (not active since its silo
    /// started) is read from its grain.
    /// </summary>
    /// <exception cref="NodeDbException"><c>invalid_definition</c> for an unknown filter or sort, or a page out of range.</exception>
    [Alias("GetSummaries")]
    Task<SchedulePage> GetSummariesAsync(ScheduleQuery query);

    /// <summary>
    /// Checks one <c>CREATE SCHEDULE</c> statement exactly as <see cref="ExecuteAsync"/> would before creating it (the
    /// DDL parser, the cron and zone, the definition limits, the body guard and the runner's check) and changes nothing.
    /// </summary>
    /// <param name="statement">The statement as the user typed it.</param>
    /// <param name="count">How many next fire times to list when it is valid, 1 to 100.</param>
    /// <returns>The verdict; a statement that would be refused is a verdict with its error, not an exception.</returns>
    [Alias("CheckCreate")]
    Task<DdlCheck> CheckCreateAsync(string statement, int count);
}
