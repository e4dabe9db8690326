using System.Collections.Immutable;

namespace NodeDb.Orleans;

/// <summary>What an ad-hoc SQL request returned: the last statement's rows, or its count of affected rows.</summary>
/// <remarks>
/// Values cross the wire as <see cref="object"/> and are always one of: <see langword="null"/>,
/// <see cref="long"/> (every integer type), <see cref="double"/> (floating types), <see cref="string"/>
/// (text, exact decimals, dates and times in ISO 8601, UUIDs and anything else, in invariant culture),
/// <see cref="bool"/> or <see cref="byte"/>[] (blobs, bytea). Not <c>[Immutable]</c> because a <c>byte[]</c> is mutable.
/// </remarks>
[GenerateSerializer, Alias("nodedb.SqlResult")]
public sealed record SqlResult
{
    /// <summary>Column names of the last statement that returned rows; empty for a statement without a result set.</summary>
    [Id(0)] public ImmutableArray<string> Columns { get; init; } = [];

    /// <summary>The rows, each with one value per column (see the type's remarks for the value types).</summary>
    [Id(1)] public ImmutableArray<ImmutableArray<object?>> Rows { get; init; } = [];

    /// <summary>Rows inserted, updated or deleted by all statements of the request; 0 for queries.</summary>
    [Id(2)] public long RowsAffected { get; init; }

    /// <summary>A command tag in PostgreSQL's spirit: the last statement's verb and count, such as <c>SELECT 3</c> or <c>INSERT 1</c>.</summary>
    [Id(3)] public string Tag { get; init; } = "";

    /// <summary>How many statements ran.</summary>
    [Id(4)] public int Statements { get; init; }

    /// <summary>True when <see cref="Rows"/> is only the first part of the result: a row or byte limit cut it (see <see cref="TruncatedBy"/>).</summary>
    [Id(5)] public bool Truncated { get; init; }

    /// <summary>Which limit cut the result and its value, such as <c>AdHocMaxRows = 10000</c>; empty when not truncated.</summary>
    [Id(6)] public string TruncatedBy { get; init; } = "";
}
