using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Refuses statements that would end the run's transaction early, which would break exactly-once.</summary>
/// <remarks>
/// A <c>COMMIT</c> in the middle of a body would make the ledger row and the first half of the body
/// durable while the rest runs outside any transaction; a retry would then find the run "committed"
/// and never finish it. PL/pgSQL refuses these itself inside a <c>DO</c> block run in a transaction.
/// </remarks>
internal static class TransactionControlGuard
{
    private static readonly string[] Verbs = ["COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "ABORT", "VACUUM", "DETACH", "ATTACH"];

    /// <summary>Null when no top-level statement controls transactions, else what to change.</summary>
    public static string? Check(SqlBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.IsProcedural)
        {
            return null;
        }

        foreach (var statement in body.Statements)
        {
            var verb = SqlValues.Verb(statement);
            var next = SqlValues.Verb(statement.TrimStart()[verb.Length..]);
            var startsTransaction = verb is "START" && next is "TRANSACTION"
                || verb is "END" && next is "SQL" or "TRANSACTION" or "WORK"
                || verb is "BEGIN" && next is "SQL" or "TRANSACTION" or "DEFERRED" or "IMMEDIATE" or "EXCLUSIVE" or "WORK";
            if (Array.IndexOf(Verbs, verb) >= 0 || startsTransaction)
            {
                return $"Statement '{statement.Trim()}' controls the transaction, but a body already runs in one transaction that commits with its run-ledger row; remove it.";
            }
        }

        return null;
    }
}
