using System.Collections.Immutable;

namespace NodeDb.Orleans;

/// <summary>The verdict of <see cref="ISqlSessionGrain.CheckCreateAsync"/> on a <c>CREATE SCHEDULE</c> statement: nothing was created.</summary>
[GenerateSerializer, Immutable, Alias("nodedb.DdlCheck")]
public sealed record DdlCheck
{
    /// <summary>Would the statement create the schedule (if no schedule of that name exists)?</summary>
    [Id(0)] public required bool Valid { get; init; }

    /// <summary>The error code it would fail with (<c>syntax_error</c>, <c>invalid_cron</c>, <c>body_rejected</c>…), or null.</summary>
    [Id(1)] public string? Code { get; init; }

    /// <summary>The error message, naming the value and the reason, or null.</summary>
    [Id(2)] public string? Error { get; init; }

    /// <summary>Where in the statement the error lies (1-based), when it can be placed.</summary>
    [Id(3)] public int? Line { get; init; }

    /// <summary>The column (1-based) of <see cref="Line"/>.</summary>
    [Id(4)] public int? Column { get; init; }

    /// <summary>The schedule's name, once the statement parsed.</summary>
    [Id(5)] public string? Name { get; init; }

    /// <summary>The zone its cron is read in, once the cron and zone are valid.</summary>
    [Id(6)] public string? Zone { get; init; }

    /// <summary>Its next fire times, shown in <see cref="Zone"/>, once the cron and zone are valid.</summary>
    [Id(7)] public ImmutableArray<DateTimeOffset> Next { get; init; } = [];

    /// <summary>The body guard's verdict: <c>accepted</c>, the reason it refuses the body, or null when the statement did not parse that far.</summary>
    [Id(8)] public string? Body { get; init; }
}
