using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>One database engine behind the runner: it runs attempts, answers the ledger and runs ad-hoc SQL.</summary>
internal interface ITenantEngine
{
    /// <summary>True when the engine runs procedural (PL/pgSQL) bodies.</summary>
    bool SupportsProcedural { get; }

    /// <summary>Null when the engine's own rules admit the body, else why not (checked at CREATE and before each run).</summary>
    string? Refusal(SqlBody body);

    /// <summary>
    /// Runs the attempt in one transaction with its ledger row. Database errors come out as
    /// <see cref="StatementFailedException"/> or the driver's exception; cancelling the token cancels the running statement.
    /// </summary>
    Task<AttemptResult> RunAttemptAsync(RunAttempt attempt, CancellationToken cancellationToken);

    /// <summary>True when the run id is in the ledger, false when it is not (or the ledger does not exist yet).</summary>
    Task<bool> WasCommittedAsync(string tenant, string runId, CancellationToken cancellationToken);

    /// <summary>Deletes ledger rows committed before <paramref name="olderThan"/>; returns how many.</summary>
    Task<int> PruneLedgerAsync(string tenant, DateTimeOffset olderThan, CancellationToken cancellationToken);

    /// <summary>Runs ad-hoc SQL (one or more statements, or a <c>BEGIN … END</c> block) in one transaction for <paramref name="owner"/>; returns the last statement's result.</summary>
    /// <remarks>Each engine splits the text its own way: SQLite by preparing one statement at a time, PostgreSQL by the lexer.</remarks>
    Task<SqlResult> ExecuteAsync(string tenant, string sql, string owner, CancellationToken cancellationToken);

    /// <summary>Opens, in the background and once, what the tenant's first run would open (see <see cref="IJobRunner.Prepare"/>).</summary>
    void Prepare(string tenant)
    {
    }
}
