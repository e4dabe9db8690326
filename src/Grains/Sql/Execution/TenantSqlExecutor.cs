using System.Data.Common;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>The <see cref="ITenantSqlExecutor"/> over the same tenant engines as <see cref="SqlJobRunner"/>.</summary>
internal sealed class TenantSqlExecutor : ITenantSqlExecutor
{
    private readonly TenantEngines _engines;
    private readonly TimeProvider _time;

    public TenantSqlExecutor(TenantEngines engines, TimeProvider time)
    {
        _engines = engines;
        _time = time;
    }

    public async Task<SqlResult> ExecuteAsync(string tenant, string sql, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(owner);
        var engine = _engines.For(tenant);
        var statements = Split(engine, sql);
        if (statements.Count == 0)
        {
            throw new NodeDbException(ErrorCodes.SqlError, $"SQL '{sql}' has no statement to run.");
        }

        var timeout = _engines.Options.DefaultTimeout;
        using var budget = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancellationToken);
        try
        {
            return await engine.ExecuteAsync(tenant, statements, owner, linked.Token);
        }
        catch (Exception e) when (budget.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is OperationCanceledException or DbException or StatementFailedException)
        {
            throw new NodeDbException(ErrorCodes.SqlError, $"SQL for tenant '{tenant}' timed out after {timeout}; nothing was committed.");
        }
        catch (StatementFailedException e)
        {
            throw new NodeDbException(ErrorCodes.SqlError, $"Tenant '{tenant}': {e.Message}; nothing was committed.");
        }
        catch (DbException e)
        {
            throw new NodeDbException(ErrorCodes.SqlError, $"Tenant '{tenant}': {SqlErrors.Message(e)}");
        }
    }

    // The lexer splits statements (it knows quotes, comments and dollar quoting), so the text is given to
    // it as a block; a procedural block on PostgreSQL stays one server-side DO statement.
    private static IReadOnlyList<string> Split(ITenantEngine engine, string sql)
    {
        var text = sql.Trim();
        var isBlock = text.StartsWith("BEGIN", StringComparison.OrdinalIgnoreCase)
            && text.TrimEnd(';', ' ', '\n', '\r', '\t').EndsWith("END", StringComparison.OrdinalIgnoreCase)
            && text.Length > 5 && char.IsWhiteSpace(text[5]);
        SqlBody body;
        try
        {
            body = SqlBody.Parse(isBlock ? text : "BEGIN\n" + text + "\nEND");
        }
        catch (NodeDbException e)
        {
            throw new NodeDbException(ErrorCodes.SqlError, e.Message);
        }

        if (!body.IsProcedural)
        {
            return body.Statements;
        }

        return engine.SupportsProcedural
            ? [PlPgSqlBlock.Build(body)]
            : throw new NodeDbException(ErrorCodes.SqlError, $"SQL '{sql}' uses procedural statements, which only a PostgreSQL tenant database can run.");
    }
}
