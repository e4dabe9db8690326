using System.Collections.Concurrent;
using Npgsql;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Runs bodies against a tenant's PostgreSQL database; procedural bodies run as a server-side <c>DO</c> block.</summary>
/// <remarks>
/// Isolation is PostgreSQL's own: each tenant's connection logs in as that tenant's non-superuser role (docs/operations.md).
/// With <see cref="TenantDatabaseOptions.PostgresLedgerKey"/> set, the ledger is the sealed one of <see cref="PostgresLedger"/>;
/// without it, a plain <c>nodedb_run_ledger</c> table the tenant can write (development set-ups only).
/// Cancellation goes through Npgsql, which sends a PostgreSQL cancel request for the running statement
/// (and breaks the connection if the server does not answer it).
/// </remarks>
internal sealed class PostgresTenantEngine : ITenantEngine, IAsyncDisposable
{
    private const string LedgerDdl = """
        CREATE TABLE IF NOT EXISTS nodedb_run_ledger(
            run_id text PRIMARY KEY,
            schedule text NOT NULL,
            committed_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS nodedb_run_ledger_committed_at ON nodedb_run_ledger(committed_at);
        """;

    private readonly TenantDatabaseOptions _options;
    private readonly IRunFaultInjector _faults;
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> _sources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _ledgerReady = new(StringComparer.Ordinal);
    private readonly PostgresLedger? _sealed;

    public PostgresTenantEngine(TenantDatabaseOptions options, IRunFaultInjector faults)
    {
        _options = options;
        _faults = faults;
        _sealed = options.PostgresLedgerKey is { Length: > 0 } key ? new PostgresLedger(key) : null;
    }

    public bool SupportsProcedural => true;

    // PostgreSQL's wall is the tenant's login role (docs/operations.md), checked by the server when the body runs.
    public string? Refusal(Text.SqlBody body) => null;

    public async Task<AttemptResult> RunAttemptAsync(RunAttempt attempt, CancellationToken cancellationToken)
    {
        var request = attempt.Request;
        await using var connection = await Source(request.Tenant).OpenConnectionAsync(cancellationToken);
        await EnsureLedgerAsync(request.Tenant, connection, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (_sealed is not null)
        {
            if (!await _sealed.RecordAsync(connection, transaction, request.RunId, request.Schedule, attempt.Now, cancellationToken))
            {
                return AttemptResult.AlreadyCommitted;
            }

            return await RunBodyAsync(connection, transaction, attempt, cancellationToken);
        }

        // The ledger row goes first: a second activation running the same id blocks on its key until this
        // transaction ends, then finds it committed (or absent after a rollback) instead of running twice.
        await using (var ledger = new NpgsqlCommand(
            """
            INSERT INTO nodedb_run_ledger(run_id, schedule, committed_at) VALUES ($1, $2, $3) ON CONFLICT (run_id) DO NOTHING;
            """,
            connection,
            transaction))
        {
            ledger.Parameters.AddWithValue(request.RunId);
            ledger.Parameters.AddWithValue(request.Schedule);
            ledger.Parameters.AddWithValue(attempt.Now);
            if (await ledger.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return AttemptResult.AlreadyCommitted;
            }
        }

        return await RunBodyAsync(connection, transaction, attempt, cancellationToken);
    }

    private async Task<AttemptResult> RunBodyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RunAttempt attempt, CancellationToken cancellationToken)
    {
        var request = attempt.Request;
        var defaults = await PostgresLoginDefaults.ReadAsync(connection, transaction, cancellationToken);
        await ActAsOwnerAsync(connection, transaction, request.Tenant, request.Owner, request.RunId, request.Schedule, cancellationToken);
        if (attempt.Body.IsProcedural)
        {
            // One server-side block: its errors (a RAISE EXCEPTION's text above all) read best unwrapped.
            await using var block = new NpgsqlCommand(PlPgSqlBlock.Build(attempt.Body), connection, transaction);
            await block.ExecuteNonQueryAsync(cancellationToken);
        }
        else
        {
            await RunStatementsAsync(connection, transaction, attempt.Body.Statements, cancellationToken);
        }

        await PostgresLoginDefaults.CheckUnchangedAsync(connection, transaction, defaults, cancellationToken);
        _faults.OnSeam(RunSeam.AfterBodyBeforeCommit, request, attempt.Number);

        // Not cancellable: a timeout that fires during COMMIT would leave us unsure whether it committed. If the
        // connection drops while the answer is on its way, the outcome is unknown and the runner asks the ledger.
        try
        {
            await transaction.CommitAsync(CancellationToken.None);
            _faults.OnSeam(RunSeam.AfterCommit, request, attempt.Number);
        }
        catch (Exception e) when (e is not PostgresException && (e is NpgsqlException or IOException or System.Net.Sockets.SocketException or TimeoutException))
        {
            // A PostgresException is the server refusing the commit: that one is certain, and not caught here.
            throw new CommitOutcomeUnknownException(e);
        }

        return AttemptResult.Committed;
    }

    public async Task<bool> WasCommittedAsync(string tenant, string runId, CancellationToken cancellationToken)
    {
        await using var connection = await Source(tenant).OpenConnectionAsync(cancellationToken);
        if (_sealed is not null)
        {
            return await PostgresLedger.ContainsAsync(connection, runId, cancellationToken);
        }

        await using var command = new NpgsqlCommand("SELECT to_regclass('nodedb_run_ledger') IS NOT NULL", connection);
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return false;
        }

        command.CommandText = "SELECT EXISTS (SELECT 1 FROM nodedb_run_ledger WHERE run_id = $1)";
        command.Parameters.AddWithValue(runId);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    public async Task<int> PruneLedgerAsync(string tenant, DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        await using var connection = await Source(tenant).OpenConnectionAsync(cancellationToken);
        if (_sealed is not null)
        {
            return await _sealed.PruneAsync(connection, olderThan, cancellationToken);
        }

        await EnsureLedgerAsync(tenant, connection, cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM nodedb_run_ledger WHERE committed_at < $1", connection);
        command.Parameters.AddWithValue(olderThan);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<SqlResult> ExecuteAsync(string tenant, string sql, string owner, CancellationToken cancellationToken)
    {
        var statements = AdHocSql.ForPostgres(sql);
        if (statements.Count == 0)
        {
            throw new NodeDbException(ErrorCodes.SqlError, $"SQL '{sql}' has no statement to run.");
        }

        await using var connection = await Source(tenant).OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var defaults = await PostgresLoginDefaults.ReadAsync(connection, transaction, cancellationToken);
        await ActAsOwnerAsync(connection, transaction, tenant, owner, runId: "", schedule: "", cancellationToken);
        var result = new SqlResult();
        long affected = 0;
        for (var i = 0; i < statements.Count; i++)
        {
            await using var command = new NpgsqlCommand(statements[i], connection, transaction);
            try
            {
                // Sequential: values stream from the socket, so the byte limit stops a huge one before it is held whole.
                await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
                result = await SqlValues.ReadAsync(reader, SqlValues.Verb(statements[i]), _options.AdHocMaxRows, _options.AdHocMaxResultBytes, stream: true, cancellationToken);
            }
            catch (PostgresException e)
            {
                throw new StatementFailedException(i + 1, statements.Count, statements[i], e);
            }

            affected += result.RowsAffected;
        }

        await PostgresLoginDefaults.CheckUnchangedAsync(connection, transaction, defaults, cancellationToken);
        await transaction.CommitAsync(CancellationToken.None);
        return result with { RowsAffected = affected, Statements = statements.Count };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources.Values)
        {
            await source.DisposeAsync();
        }

        _sources.Clear();
    }

    /// <summary>The connection string of a tenant: its own entry, else the template.</summary>
    public string ConnectionStringOf(string tenant)
    {
        if (_options.PostgresConnections.TryGetValue(tenant, out var explicitConnection))
        {
            return explicitConnection;
        }

        return _options.PostgresConnectionTemplate?.Replace("{tenant}", tenant, StringComparison.Ordinal)
            ?? throw new NodeDbException(
                ErrorCodes.InvalidDefinition,
                $"Tenant '{tenant}' has no PostgreSQL connection: add it to {nameof(TenantDatabaseOptions.PostgresConnections)} or set {nameof(TenantDatabaseOptions.PostgresConnectionTemplate)}.");
    }

    private static async Task RunStatementsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string> statements, CancellationToken cancellationToken)
    {
        for (var i = 0; i < statements.Count; i++)
        {
            await using var command = new NpgsqlCommand(statements[i], connection, transaction);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e)
            {
                throw new StatementFailedException(i + 1, statements.Count, statements[i], e);
            }
        }
    }

    // The settings are transaction-local, so they end with the run and never leak through the pool.
    private async Task ActAsOwnerAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenant, string owner, string runId, string schedule, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pg_catalog.set_config('nodedb.owner', $1, true), pg_catalog.set_config('nodedb.tenant', $2, true), pg_catalog.set_config('nodedb.run_id', $3, true), pg_catalog.set_config('nodedb.schedule', $4, true)",
            connection,
            transaction);
        command.Parameters.AddWithValue(owner);
        command.Parameters.AddWithValue(tenant);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(schedule);
        await command.ExecuteNonQueryAsync(cancellationToken);

        if (_options.PostgresRoleTemplate is { } template)
        {
            var role = template.Replace("{tenant}", tenant, StringComparison.Ordinal).Replace("{owner}", owner, StringComparison.Ordinal);
            command.Parameters.Clear();
            command.CommandText = "SET LOCAL ROLE " + QuoteIdentifier(role);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task EnsureLedgerAsync(string tenant, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_sealed is not null || _ledgerReady.ContainsKey(tenant))
        {
            return;
        }

        await using var command = new NpgsqlCommand(LedgerDdl, connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
            // Two first runs raced to create the ledger; the other one made it, which is all we need.
        }

        _ledgerReady[tenant] = true;
    }

    private NpgsqlDataSource Source(string tenant) =>
        _sources.GetOrAdd(tenant, static (t, self) =>
        {
            var builder = new NpgsqlConnectionStringBuilder(self.ConnectionStringOf(t))
            {
                // The run's budget cancels statements; Npgsql's own 30 s default must not cut a longer budget short.
                CommandTimeout = 0,
            };
            return NpgsqlDataSource.Create(builder.ConnectionString);
        }, this);

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
