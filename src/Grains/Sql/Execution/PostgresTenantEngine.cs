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

    /// <summary>How long the ledger probe waits for an open transaction that holds the same run id.</summary>
    internal static readonly TimeSpan ProbeWait = TimeSpan.FromSeconds(2);

    private readonly TenantDatabaseOptions _options;
    private readonly IRunFaultInjector _faults;
    private readonly ConcurrentDictionary<string, NpgsqlDataSource> _sources = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _ledgerReady = new(StringComparer.Ordinal);
    private readonly PostgresLedger? _sealed;
    private readonly ConcurrentDictionary<string, PostgresTenantWriter> _writers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _prepared = new(StringComparer.Ordinal);

    public PostgresTenantEngine(TenantDatabaseOptions options, IRunFaultInjector faults)
    {
        _options = options;
        _faults = faults;
        _sealed = options.PostgresLedgerKey is { Length: > 0 } key ? new PostgresLedger(key) : null;
    }

    public bool SupportsProcedural => true;

    // PostgreSQL's wall is the tenant's login role (docs/operations.md), checked by the server when the body runs.
    public string? Refusal(Text.SqlBody body) => null;

    /// <summary>Queues the attempt for the tenant's group commit in this process (<see cref="PostgresTenantWriter"/>).</summary>
    public Task<AttemptResult> RunAttemptAsync(RunAttempt attempt, CancellationToken cancellationToken)
    {
        var tenant = attempt.Request.Tenant;
        var writer = _writers.GetOrAdd(tenant, static (t, self) => new PostgresTenantWriter(self, t, self._faults), this);
        return writer.RunAsync(attempt, cancellationToken);
    }

    /// <remarks>
    /// A plain <c>SELECT</c> would read a run whose transaction is still open as absent, and the run would be dispatched
    /// again while the first attempt still runs (a split brain). The probe inserts the same run id instead, in a
    /// transaction it always rolls back: PostgreSQL makes that insert wait for any open transaction holding the id, so a
    /// conflict after it commits means committed, and an insert after it aborts means absent. It waits at most
    /// <see cref="ProbeWait"/>; a longer wait (lock_timeout) is an error, which the runner reports as "cannot tell now".
    /// </remarks>
    public async Task<bool> WasCommittedAsync(string tenant, string runId, CancellationToken cancellationToken)
    {
        await using var connection = await Source(tenant).OpenConnectionAsync(cancellationToken);
        if (_sealed is null)
        {
            await using var exists = new NpgsqlCommand("SELECT to_regclass('nodedb_run_ledger') IS NOT NULL", connection);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return false;
            }
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var wait = new NpgsqlCommand(
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SET LOCAL lock_timeout = '{(int)ProbeWait.TotalMilliseconds}ms'"), connection, transaction))
            {
                await wait.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var probe = new NpgsqlBatch(connection, transaction);
            probe.BatchCommands.Add(_sealed is not null
                ? _sealed.RecordCommand(runId, PostgresLedger.ProbeSchedule, DateTimeOffset.UnixEpoch)
                : new NpgsqlBatchCommand("INSERT INTO nodedb_run_ledger(run_id, schedule, committed_at) VALUES ($1, $2, $3) ON CONFLICT (run_id) DO NOTHING RETURNING true")
                {
                    Parameters =
                    {
                        new NpgsqlParameter<string> { TypedValue = runId },
                        new NpgsqlParameter<string> { TypedValue = PostgresLedger.ProbeSchedule },
                        new NpgsqlParameter<DateTimeOffset> { TypedValue = DateTimeOffset.UnixEpoch },
                    },
                });
            var inserted = await probe.ExecuteScalarAsync(cancellationToken) is true;
            return !inserted;
        }
        catch (PostgresException e) when (PostgresLedger.NotSetUp(e) is { } notSetUp)
        {
            throw notSetUp;
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
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
        var defaults = await OpenAdHocAsync(connection, transaction, tenant, owner, cancellationToken);
        if (RoleCommand(tenant, owner) is { } role)
        {
            await using var switchRole = new NpgsqlBatch(connection, transaction) { BatchCommands = { role } };
            await switchRole.ExecuteNonQueryAsync(cancellationToken);
        }

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

        await using (var check = new NpgsqlBatch(connection, transaction) { BatchCommands = { PostgresLoginDefaults.ReadCommand() } })
        {
            PostgresLoginDefaults.CheckUnchanged(defaults, (string?)await check.ExecuteScalarAsync(cancellationToken));
        }

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

    /// <summary>
    /// The first connection of a tenant's pool costs a login and Npgsql's load of the database's types (a few catalog
    /// queries): about 200 ms a run started late on a silo that had just restarted and received schedules (S6). A
    /// schedule activating here opens it ahead, once per tenant, and returns it to the pool.
    /// </summary>
    public void Prepare(string tenant)
    {
        if (!_prepared.TryAdd(tenant, true))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await using var connection = await OpenAsync(tenant, CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or NodeDbException or IOException or TimeoutException or InvalidOperationException)
            {
                // Only a head start: the first run opens its own connection and reports whatever is wrong.
                _prepared.TryRemove(tenant, out _);
            }
        });
    }

    /// <summary>Opens a pooled connection to the tenant's database, its plain ledger created when that is the one in use.</summary>
    internal async Task<NpgsqlConnection> OpenAsync(string tenant, CancellationToken cancellationToken)
    {
        var connection = await Source(tenant).OpenConnectionAsync(cancellationToken);
        try
        {
            await EnsureLedgerAsync(tenant, connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The commands that open an attempt inside a group (<see cref="PostgresTenantWriter"/>), after its savepoint: the reset
    /// of what an earlier body of the group may have left in the session, the owner's settings, then the ledger row,
    /// which fails the batch (<see cref="IsAlreadyInLedger"/>) when the run id is already there, so the body after it
    /// never runs.
    /// </summary>
    /// <remarks>
    /// <para>What the reset covers (what Npgsql's pool reset clears between lone runs on one connection; prepared
    /// statements it keeps too): every setting (<c>RESET ALL</c>: <c>SET</c>, <c>SET LOCAL</c>, <c>set_config</c> of the
    /// earlier body, <c>search_path</c> above all), the role (<c>RESET ROLE</c>, which <c>RESET ALL</c> leaves), temporary
    /// tables (<c>DISCARD TEMP</c>), cached sequence values (<c>currval</c>), open cursors, <c>LISTEN</c>s and session-level
    /// advisory locks.</para>
    /// </remarks>
    internal List<NpgsqlBatchCommand> OpenGroupedRun(RunAttempt attempt, out NpgsqlBatchCommand ledger)
    {
        var request = attempt.Request;
        ledger = _sealed is not null
            ? _sealed.RecordOrFailCommand(request.RunId, request.Schedule, attempt.Now)
            : PlainLedgerOrFailCommand(request.RunId, request.Schedule, attempt.Now);
        return
        [
            new("RESET ALL"),
            new("RESET ROLE"),
            new("DISCARD TEMP"),
            new("DISCARD SEQUENCES"),
            new("CLOSE ALL"),
            new("UNLISTEN *"),
            new("SELECT pg_catalog.pg_advisory_unlock_all()"),
            SettingsCommand(request.Tenant, request.Owner, request.RunId, request.Schedule),
            ledger,
        ];
    }

    /// <summary>True when <paramref name="e"/> is the ledger command of <see cref="OpenGroupedRun"/> finding its run id already there.</summary>
    internal bool IsAlreadyInLedger(PostgresException e) =>
        e.SqlState == (_sealed is not null ? PostgresLedger.AlreadyThereState : PostgresErrorCodes.UniqueViolation);

    /// <summary>Maps an error of the sealed ledger's command to "run the set-up script" when the ledger is missing.</summary>
    internal Exception LedgerError(PostgresException e) => _sealed is not null && PostgresLedger.NotSetUp(e) is { } notSetUp ? notSetUp : e;

    /// <summary>
    /// One round trip before ad-hoc SQL: the login's defaults, then the owner's transaction-local settings. Returns the
    /// defaults. Prepared once per physical connection (its text never changes); tenant SQL is never prepared.
    /// </summary>
    private static async Task<string> OpenAdHocAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string tenant, string owner, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(PostgresLoginDefaults.ReadCommand());
        batch.BatchCommands.Add(SettingsCommand(tenant, owner, runId: "", schedule: ""));
        await batch.PrepareAsync(cancellationToken);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var defaults = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : "";

        // Read to the end, so an error of a later command surfaces here.
        while (await reader.NextResultAsync(cancellationToken))
        {
        }

        return defaults;
    }

    /// <summary>The owner's transaction-local settings (<c>nodedb.owner</c>, <c>.tenant</c>, <c>.run_id</c>, <c>.schedule</c>).</summary>
    internal static NpgsqlBatchCommand SettingsCommand(string tenant, string owner, string runId, string schedule)
    {
        var settings = new NpgsqlBatchCommand(
            "SELECT pg_catalog.set_config('nodedb.owner', $1, true), pg_catalog.set_config('nodedb.tenant', $2, true), pg_catalog.set_config('nodedb.run_id', $3, true), pg_catalog.set_config('nodedb.schedule', $4, true)");
        settings.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
        settings.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenant });
        settings.Parameters.Add(new NpgsqlParameter<string> { TypedValue = runId });
        settings.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schedule });
        return settings;
    }

    /// <summary><c>SET LOCAL ROLE</c> for the owner when <see cref="TenantDatabaseOptions.PostgresRoleTemplate"/> is set, else null.</summary>
    internal NpgsqlBatchCommand? RoleCommand(string tenant, string owner)
    {
        if (_options.PostgresRoleTemplate is not { } template)
        {
            return null;
        }

        var role = template.Replace("{tenant}", tenant, StringComparison.Ordinal).Replace("{owner}", owner, StringComparison.Ordinal);
        return new NpgsqlBatchCommand("SET LOCAL ROLE " + QuoteIdentifier(role));
    }

    /// <summary>The plain ledger's insert without <c>ON CONFLICT</c>: a run id already there fails it (unique violation).</summary>
    private static NpgsqlBatchCommand PlainLedgerOrFailCommand(string runId, string schedule, DateTimeOffset at)
    {
        var command = new NpgsqlBatchCommand("INSERT INTO nodedb_run_ledger(run_id, schedule, committed_at) VALUES ($1, $2, $3)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = runId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schedule });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
        return command;
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
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject)
        {
            // Two first runs raced to create the ledger (its table, or the row type PostgreSQL makes with it: 42710); the
            // other one made it, which is all we need.
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

                // A body runs as one batch: the failed command tells which statement of the body to name.
                IncludeFailedBatchedCommand = true,
            };
            return NpgsqlDataSource.Create(builder.ConnectionString);
        }, this);

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
