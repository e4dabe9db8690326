using static SQLitePCL.raw;

namespace NodeDb.Orleans.Grains.Sql.Execution.Sqlite;

/// <summary>
/// What tenant SQL may do on a SQLite connection, decided by SQLite's own authorizer callback while it compiles each
/// statement, so the rule sees exactly what the engine is about to run: not a guess from the text.
/// </summary>
/// <remarks>
/// The callback runs for every statement SQLite prepares on the connection, including the statements a trigger or
/// view compiles into a tenant's statement and the statements a pragma table-valued function prepares internally.
/// </remarks>
internal static class SqliteAuthorizer
{
    /// <summary>The runner's exactly-once ledger, written only by the runner's own statements.</summary>
    public const string LedgerTable = "nodedb_run_ledger";

    /// <summary>Read-only pragmas whose argument names a table, an index or a row count.</summary>
    private static readonly HashSet<string> PragmasWithArgument = new(StringComparer.OrdinalIgnoreCase)
    {
        "table_info", "table_xinfo", "table_list", "index_info", "index_xinfo", "index_list",
        "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check",
    };

    /// <summary>Pragmas that only read a value when they have no argument (with one they would set it).</summary>
    private static readonly HashSet<string> PragmasReadOnlyWithoutArgument = new(StringComparer.OrdinalIgnoreCase)
    {
        "user_version", "application_id", "schema_version", "data_version", "page_count", "page_size",
        "freelist_count", "encoding", "foreign_keys", "collation_list", "function_list", "module_list", "pragma_list",
        "compile_options", "database_list", "cache_size",
    };

    /// <summary>The pragmas tenant SQL may run, for error messages and docs.</summary>
    public static string PragmaAllowList { get; } = string.Join(", ", PragmasWithArgument.Concat(PragmasReadOnlyWithoutArgument.Select(p => p + " (read only)")).Order(StringComparer.Ordinal));

    /// <summary>
    /// Null when tenant SQL may perform the action, else why not. The arguments are SQLite's: the action code and its
    /// two parameters, the database name, and the innermost trigger or view that caused the action (or null).
    /// </summary>
    public static string? DenyTenant(int action, string? p0, string? p1, string? database, string? trigger) => action switch
    {
        SQLITE_ATTACH or SQLITE_DETACH =>
            "ATTACH and DETACH would open or close another database file; a job sees only its own tenant's database",
        SQLITE_TRANSACTION =>
            $"{p0} is transaction control, which belongs to the runner: each run is one transaction together with its ledger row",
        SQLITE_SAVEPOINT =>
            $"SAVEPOINT/RELEASE/ROLLBACK TO ({p0} {p1}) is transaction control, which belongs to the runner",
        SQLITE_PRAGMA => DenyPragma(p0, p1),
        SQLITE_CREATE_TEMP_TABLE or SQLITE_CREATE_TEMP_VIEW or SQLITE_CREATE_TEMP_INDEX or SQLITE_CREATE_TEMP_TRIGGER =>
            $"temporary objects ('{p0}') would outlive the run on the pooled connection; create a regular table instead",
        SQLITE_FUNCTION when p1 is not null && (p1.Equals("load_extension", StringComparison.OrdinalIgnoreCase) || p1.Equals("fts3_tokenizer", StringComparison.OrdinalIgnoreCase)) =>
            $"the function {p1}() loads native code",
        SQLITE_INSERT or SQLITE_UPDATE or SQLITE_DELETE or SQLITE_DROP_TABLE or SQLITE_CREATE_TABLE when IsLedger(p0) =>
            $"{LedgerTable} is the runner's exactly-once ledger: only the runner writes it (tenant SQL may read it)",
        SQLITE_ALTER_TABLE or SQLITE_CREATE_INDEX or SQLITE_DROP_INDEX or SQLITE_CREATE_TRIGGER or SQLITE_DROP_TRIGGER when IsLedger(p1) =>
            $"{LedgerTable} is the runner's exactly-once ledger: its schema, indexes and triggers are the runner's",
        SQLITE_CREATE_VIEW or SQLITE_CREATE_VTABLE when IsLedger(p0) =>
            $"{LedgerTable} is the runner's exactly-once ledger: no other object may take its name",
        _ => null,
    };

    /// <summary>
    /// Null when the runner's own statement may perform the action. The runner's statements never go through a
    /// trigger or a view: one on the ledger would run tenant code with the runner's rights.
    /// </summary>
    public static string? DenyRunner(int action, string? trigger) =>
        trigger is not null && action is not SQLITE_SELECT
            ? $"the runner's ledger statement would run trigger or view '{trigger}', which tenant SQL may have written; drop it"
            : null;

    private static bool IsLedger(string? name) => string.Equals(name, LedgerTable, StringComparison.OrdinalIgnoreCase);

    private static string? DenyPragma(string? name, string? argument)
    {
        if (name is not null && (PragmasWithArgument.Contains(name) || (argument is null && PragmasReadOnlyWithoutArgument.Contains(name))))
        {
            return null;
        }

        var shown = argument is null ? $"PRAGMA {name}" : $"PRAGMA {name} = {argument}";
        return $"{shown} is not on the read-only pragma allow-list ({PragmaAllowList}); "
            + "other pragmas change the connection, the database file or the whole process";
    }
}
