using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>
/// The sealed PostgreSQL ledger of scripts/postgres/tenant-setup.sql: table <c>nodedb.run_ledger</c>, owned by
/// <c>nodedb_ledger_owner</c> and written only through SECURITY DEFINER functions that check an HMAC keyed by
/// <see cref="TenantDatabaseOptions.PostgresLedgerKey"/>. The tenant's login may read the ledger and call the
/// functions, but cannot compute a valid MAC, so it can neither forge nor delete a row.
/// </summary>
internal sealed class PostgresLedger
{
    private const char Separator = (char)31;
    private readonly byte[] _key;

    /// <summary>The schedule name of the row the ledger probe tries to insert, and always rolls back.</summary>
    public const string ProbeSchedule = "nodedb-probe";

    /// <summary>The name of the one column <see cref="RecordCommand"/> returns.</summary>
    public const string RecordedColumn = "nodedb_recorded";

    public PostgresLedger(string key) => _key = Encoding.UTF8.GetBytes(key);

    /// <summary>
    /// The batch command that inserts the run's row; its one row is true when this transaction inserted it, false when
    /// the run id was already there. An error of it may mean the ledger was never set up: see <see cref="NotSetUp"/>.
    /// </summary>
    public NpgsqlBatchCommand RecordCommand(string runId, string schedule, DateTimeOffset at)
    {
        var command = new NpgsqlBatchCommand("SELECT nodedb.record_run($1, $2, $3, $4) AS " + RecordedColumn);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = runId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schedule });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = at });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Mac("record" + Separator + runId + Separator + schedule) });
        return command;
    }

    /// <summary>The SQLSTATE of <see cref="RecordOrFailCommand"/> when the run id is already in the ledger (invalid_text_representation).</summary>
    public const string AlreadyThereState = "22P02";

    /// <summary>
    /// Like <see cref="RecordCommand"/>, but a run id already in the ledger fails the command instead of returning false,
    /// so that in a batch the server skips the body sent after it. The sealed ledger's function only answers false
    /// (scripts/postgres/tenant-setup.sql, unchanged so that set-ups made before keep working), and plain SQL has no
    /// RAISE: the failure is a cast of a text naming the run (<see cref="AlreadyThereState"/>), reached only then. It reads
    /// the run id from the transaction-local <c>nodedb.run_id</c> setting, so the planner cannot fold it in advance.
    /// </summary>
    public NpgsqlBatchCommand RecordOrFailCommand(string runId, string schedule, DateTimeOffset at)
    {
        var command = RecordCommand(runId, schedule, at);
        command.CommandText = "SELECT CASE WHEN nodedb.record_run($1, $2, $3, $4) THEN true ELSE ('nodedb: run ' || pg_catalog.current_setting('nodedb.run_id') || ' is already in the ledger')::integer::boolean END AS " + RecordedColumn;
        return command;
    }

    /// <summary>A clear error when <paramref name="e"/> says the ledger was never set up in the tenant's database, else null.</summary>
    public static NodeDbException? NotSetUp(PostgresException e) =>
        e.SqlState is PostgresErrorCodes.UndefinedFunction or PostgresErrorCodes.InvalidSchemaName ? NotSetUpError(e) : null;

    /// <summary>Deletes rows committed before <paramref name="olderThan"/>; returns how many.</summary>
    public async Task<int> PruneAsync(NpgsqlConnection connection, DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var cutoff = olderThan.ToUnixTimeMilliseconds();
        await using var command = new NpgsqlCommand("SELECT nodedb.prune_runs($1, $2)", connection);
        command.Parameters.AddWithValue(cutoff);
        command.Parameters.AddWithValue(Mac("prune" + Separator + cutoff.ToString(CultureInfo.InvariantCulture)));
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static NodeDbException NotSetUpError(PostgresException e) => new(
        ErrorCodes.InvalidDefinition,
        $"The tenant database has no sealed run ledger ({e.MessageText}): run scripts/postgres/tenant-setup.sql in it as docs/operations.md describes.");

    private string Mac(string message) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(message)));
}
