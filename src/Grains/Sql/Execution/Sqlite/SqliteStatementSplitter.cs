using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using static SQLitePCL.raw;

namespace NodeDb.Orleans.Grains.Sql.Execution.Sqlite;

/// <summary>Splits SQL into statements exactly as SQLite does: prepare the first statement, take the tail, repeat.</summary>
/// <remarks>
/// SQLite's own tokenizer decides where a statement ends (its comments do not nest, <c>begin</c> and <c>case</c> may be
/// aliases, a trigger body holds inner <c>;</c>), so no second dialect guesses. Preparing is lazy: the next statement is
/// prepared only after the caller ran the previous one, because it may name a table the previous one created.
/// Preparing runs the connection's authorizer, so a statement the sandbox refuses fails here, before it runs.
/// </remarks>
internal static class SqliteStatementSplitter
{
    /// <summary>The text of each statement in <paramref name="sql"/>, comments and whitespace between them dropped.</summary>
    /// <exception cref="PrepareFailedException">SQLite could not prepare a statement (syntax, missing table, refused by the authorizer).</exception>
    public static IEnumerable<string> Split(sqlite3 db, string sql)
    {
        var bytes = Encoding.UTF8.GetBytes(sql);
        var offset = 0;
        while (offset < bytes.Length)
        {
            var (statement, next) = PrepareNext(db, bytes, offset);
            if (statement is null)
            {
                yield break;
            }

            offset = next;
            yield return statement;
        }
    }

    /// <summary>The first statement from <paramref name="offset"/> and where the rest starts; null at the end of the text.</summary>
    private static (string? Statement, int Next) PrepareNext(sqlite3 db, byte[] bytes, int offset)
    {
        var remaining = new ReadOnlySpan<byte>(bytes, offset, bytes.Length - offset);
        var rc = sqlite3_prepare_v2(db, remaining, out var stmt, out var tail);
        using (stmt)
        {
            var consumed = remaining.Length - tail.Length;
            if (rc != SQLITE_OK)
            {
                var message = sqlite3_errmsg(db).utf8_to_string();
                throw new PrepareFailedException(FirstStatement(Encoding.UTF8.GetString(remaining)), new SqliteException($"SQLite Error {rc}: '{message}'.", rc, sqlite3_extended_errcode(db)));
            }

            if (stmt is null || stmt.IsInvalid)
            {
                // Only whitespace and comments were left.
                return (null, bytes.Length);
            }

            var text = Encoding.UTF8.GetString(remaining[..consumed]).Trim().TrimEnd(';').TrimEnd();
            return (text, offset + consumed);
        }
    }

    /// <summary>
    /// The failed statement's text for the error message: SQLite does not say where a statement it could not prepare
    /// ends, so its own <c>sqlite3_complete</c> finds the first <c>;</c> that ends one (within the first few KiB).
    /// </summary>
    private static string FirstStatement(string rest)
    {
        const int Scan = 4096;
        var end = rest.Length;
        for (var i = rest.IndexOf(';', StringComparison.Ordinal); i >= 0 && i < Scan; i = rest.IndexOf(';', i + 1))
        {
            if (sqlite3_complete(rest[..(i + 1)]) != 0)
            {
                end = i;
                break;
            }
        }

        return rest[..end].Trim().TrimEnd(';').TrimEnd();
    }

    /// <summary>SQLite refused to prepare a statement; <see cref="Statement"/> is the text from that statement on.</summary>
    internal sealed class PrepareFailedException(string statement, SqliteException error) : Exception(error.Message, error)
    {
        public string Statement { get; } = statement;

        public SqliteException Error { get; } = error;
    }
}
