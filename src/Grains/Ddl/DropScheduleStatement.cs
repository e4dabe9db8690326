namespace NodeDb.Orleans.Grains.Ddl;

/// <summary><c>DROP SCHEDULE [IF EXISTS] name</c>.</summary>
/// <param name="Name">The lower-cased schedule name.</param>
/// <param name="IfExists">True when a missing schedule is not an error.</param>
public sealed record DropScheduleStatement(string Name, bool IfExists) : SqlStatement;
