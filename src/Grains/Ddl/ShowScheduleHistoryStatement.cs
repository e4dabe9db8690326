namespace NodeDb.Orleans.Grains.Ddl;

/// <summary><c>SHOW SCHEDULE HISTORY name [LIMIT n]</c>.</summary>
/// <param name="Name">The lower-cased schedule name.</param>
/// <param name="Limit">The most rows wanted (at least 1), or null for the default.</param>
public sealed record ShowScheduleHistoryStatement(string Name, int? Limit) : SqlStatement;
