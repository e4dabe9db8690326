namespace NodeDb.Orleans.Grains.Scheduling;

/// <summary>The precision of a cron expression: the span of one "unit" in the seed contract.</summary>
public enum CronUnit
{
    /// <summary>Five fields (or a macro): occurrences on whole minutes.</summary>
    Minute,

    /// <summary>Six fields with leading seconds (or <c>@every_second</c>): occurrences on whole seconds.</summary>
    Second,
}
