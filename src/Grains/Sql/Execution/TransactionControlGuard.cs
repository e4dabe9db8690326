using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Refuses statements that would take a run outside its tenant's database or its one transaction.</summary>
/// <remarks>
/// An early, friendly message only, read with the PostgreSQL-dialect lexer: on SQLite the wall is the sandbox's
/// authorizer (<see cref="Sqlite.SqliteSandbox"/>), on PostgreSQL the tenant's login role.
/// COMMIT, ROLLBACK, SAVEPOINT and transaction starts are refused earlier, by <see cref="SqlBody.Parse"/>.
/// What is left here is what the lexer cannot know is dangerous: <c>ATTACH</c>/<c>DETACH</c> would let a
/// SQLite job open another tenant's file, and <c>VACUUM</c> cannot run inside the body's transaction.
/// </remarks>
internal static class TransactionControlGuard
{
    private static readonly string[] Verbs = ["VACUUM", "DETACH", "ATTACH"];

    /// <summary>Null when the body stays inside its tenant's database and transaction, else what to change.</summary>
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
            if (Array.IndexOf(Verbs, verb) >= 0)
            {
                return $"Statement '{statement.Trim()}' cannot run in a schedule body: ATTACH and DETACH would reach beyond the tenant's own database, and VACUUM cannot run inside the body's transaction; remove it.";
            }
        }

        return null;
    }
}
