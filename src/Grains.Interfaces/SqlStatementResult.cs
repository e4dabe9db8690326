using System.Collections.Immutable;

namespace NodeDb.Orleans;

/// <summary>The outcome of one statement of a script sent to <see cref="ISqlSessionGrain.ExecuteAsync"/>.</summary>
/// <remarks>Not <c>[Immutable]</c>: <see cref="Query"/> may hold <c>byte[]</c> values.</remarks>
[GenerateSerializer, Alias("nodedb.SqlStatementResult")]
public sealed record SqlStatementResult
{
    [Id(0)] public required SqlStatementKind Kind { get; init; }

    /// <summary>A command tag: <c>CREATE SCHEDULE</c>, <c>DROP SCHEDULE</c>, <c>SHOW SCHEDULES</c>, or the database's tag such as <c>SELECT 3</c>.</summary>
    [Id(1)] public required string Tag { get; init; }

    /// <summary>The schedule a schedule statement is about; <see langword="null"/> for queries and SHOW SCHEDULES.</summary>
    [Id(2)] public string? Schedule { get; init; }

    /// <summary>The tenant database's answer, for <see cref="SqlStatementKind.Query"/>.</summary>
    [Id(3)] public SqlResult? Query { get; init; }

    /// <summary>SHOW SCHEDULES: every schedule of the tenant; CREATE and ALTER: the schedule as it now stands.</summary>
    [Id(4)] public ImmutableArray<ScheduleStatus> Schedules { get; init; } = [];

    /// <summary>SHOW SCHEDULE HISTORY: the rows, newest first.</summary>
    [Id(5)] public ImmutableArray<RunRecord> History { get; init; } = [];

    /// <summary>
    /// False when the statement changed nothing: CREATE … IF NOT EXISTS of an existing schedule, DROP … IF EXISTS of a
    /// missing one.
    /// </summary>
    [Id(6)] public bool Changed { get; init; } = true;
}
