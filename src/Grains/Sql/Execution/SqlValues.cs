using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Turns driver values into the few wire types <see cref="SqlResult"/> allows, and reads result sets.</summary>
internal static class SqlValues
{
    public static object? ToWire(object? value) => value switch
    {
        null or DBNull => null,
        bool or long or double or string or byte[] => value,
        sbyte or byte or short or ushort or int or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        ulong u => u <= long.MaxValue ? (long)u : u.ToString(CultureInfo.InvariantCulture),
        float f => (double)f,
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
        DateOnly date => date.ToString("O", CultureInfo.InvariantCulture),
        TimeOnly time => time.ToString("O", CultureInfo.InvariantCulture),
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        var other => other.ToString(),
    };

    /// <summary>
    /// Reads every result set of the reader; keeps the last one that had columns (at most <paramref name="maxRows"/> rows and
    /// about <paramref name="maxBytes"/> bytes of values, marked truncated when cut), sums affected rows.
    /// </summary>
    /// <remarks>
    /// <paramref name="stream"/> streams text and blobs (PostgreSQL, read sequentially). SQLite does not need it (its
    /// <c>SQLITE_LIMIT_LENGTH</c> bounds a value) and its blob streams open incremental blob handles, so it reads values whole.
    /// </remarks>
    public static async Task<SqlResult> ReadAsync(DbDataReader reader, string verb, int maxRows, int maxBytes, bool stream, CancellationToken cancellationToken)
    {
        var columns = ImmutableArray<string>.Empty;
        var rows = ImmutableArray.CreateBuilder<ImmutableArray<object?>>();
        var truncatedBy = "";
        do
        {
            if (reader.FieldCount == 0)
            {
                continue;
            }

            columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToImmutableArray();
            rows.Clear();
            truncatedBy = "";
            long bytes = 0;
            while (truncatedBy.Length == 0 && await reader.ReadAsync(cancellationToken))
            {
                if (rows.Count >= maxRows)
                {
                    truncatedBy = $"AdHocMaxRows = {maxRows}";
                    break;
                }

                var row = new object?[reader.FieldCount];
                for (var i = 0; i < row.Length && bytes <= maxBytes; i++)
                {
                    row[i] = stream ? await ReadValueAsync(reader, i, maxBytes - bytes + 1, cancellationToken) : ToWire(reader.IsDBNull(i) ? null : reader.GetValue(i));
                    bytes += SizeOf(row[i]);
                }

                if (bytes > maxBytes)
                {
                    truncatedBy = $"AdHocMaxResultBytes = {maxBytes}";
                    break;
                }

                rows.Add([.. row]);
            }
        }
        while (await reader.NextResultAsync(cancellationToken));

        var affected = Math.Max(0, reader.RecordsAffected);
        var count = columns.IsEmpty ? affected : rows.Count;
        return new SqlResult
        {
            Columns = columns,
            Rows = rows.ToImmutable(),
            RowsAffected = affected,
            Tag = $"{verb} {count}",
            Truncated = truncatedBy.Length > 0,
            TruncatedBy = truncatedBy,
        };
    }

    /// <summary>
    /// One value; text and blobs are streamed and stop once they pass <paramref name="budget"/> bytes, so one huge value
    /// (a 500 MB <c>repeat()</c> on PostgreSQL, read with <see cref="System.Data.CommandBehavior.SequentialAccess"/>) is never
    /// held whole. A value cut that way comes back over the budget, which truncates the result.
    /// </summary>
    private static async Task<object?> ReadValueAsync(DbDataReader reader, int i, long budget, CancellationToken cancellationToken)
    {
        if (await reader.IsDBNullAsync(i, cancellationToken))
        {
            return null;
        }

        var type = reader.GetFieldType(i);
        if (type == typeof(string) && IsPlainText(reader.GetDataTypeName(i)))
        {
            using var text = reader.GetTextReader(i);
            var builder = new System.Text.StringBuilder();
            var buffer = new char[8192];
            int read;
            while (2L * builder.Length <= budget && (read = await text.ReadAsync(buffer, cancellationToken)) > 0)
            {
                builder.Append(buffer, 0, read);
            }

            return builder.ToString();
        }

        if (type == typeof(byte[]))
        {
            await using var stream = reader.GetStream(i);
            using var copy = new MemoryStream();
            var buffer = new byte[8192];
            int read;
            while (copy.Length <= budget && (read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                copy.Write(buffer, 0, read);
            }

            return copy.ToArray();
        }

        return ToWire(reader.GetValue(i));
    }

    // Types whose text reader yields the value as GetValue would (SQLite reports TEXT or an empty name).
    private static bool IsPlainText(string name) =>
        name.Length == 0 || name.ToUpperInvariant() is "TEXT" or "VARCHAR" or "CHARACTER VARYING" or "BPCHAR" or "CHARACTER" or "NAME";

    private static long SizeOf(object? value) => value switch
    {
        string text => 2L * text.Length,
        byte[] blob => blob.Length,
        _ => 8,
    };

    /// <summary>The statement's first word, upper-case, for the tag.</summary>
    public static string Verb(string statement)
    {
        var text = statement.TrimStart();
        var end = 0;
        while (end < text.Length && char.IsLetter(text[end]))
        {
            end++;
        }

        return end == 0 ? "SQL" : text[..end].ToUpperInvariant();
    }
}
