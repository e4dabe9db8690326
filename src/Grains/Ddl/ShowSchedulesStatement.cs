namespace NodeDb.Orleans.Grains.Ddl;

/// <summary><c>SHOW SCHEDULES</c>: the caller's tenant's schedules.</summary>
public sealed record ShowSchedulesStatement : SqlStatement;
