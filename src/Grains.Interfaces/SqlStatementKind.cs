namespace NodeDb.Orleans;

/// <summary>What kind of statement a <see cref="SqlStatementResult"/> answers.</summary>
public enum SqlStatementKind
{
    /// <summary>Any statement that is not schedule DDL, run against the tenant's database.</summary>
    Query = 0,

    CreateSchedule = 1,

    AlterSchedule = 2,

    DropSchedule = 3,

    ShowSchedules = 4,

    ShowScheduleHistory = 5,
}
