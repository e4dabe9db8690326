using Npgsql;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>
/// PostgreSQL lets any role set its own login defaults (<c>ALTER ROLE CURRENT_USER SET …</c>, also from inside a DO
/// block or a function), which would change every later run of the tenant. The runner takes the defaults of the
/// session's login role before tenant SQL and compares them before COMMIT; a change fails the transaction, which
/// rolls the change back with everything else.
/// </summary>
internal static class PostgresLoginDefaults
{
    /// <summary>The name of the one column the read returns.</summary>
    public const string Column = "nodedb_login_defaults";

    private const string Query = """
        SELECT coalesce(pg_catalog.string_agg(s.setdatabase::text || ':' || pg_catalog.array_to_string(s.setconfig, ','), ';' ORDER BY s.setdatabase), '') AS nodedb_login_defaults
        FROM pg_catalog.pg_db_role_setting s
        WHERE s.setrole = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = SESSION_USER)
        """;

    /// <summary>A batch command whose one row is the login role's defaults, as one comparable text.</summary>
    /// <remarks>
    /// Not cached across runs: it rides in a batch the run sends anyway (before the body, and after it), so it costs
    /// no round trip, and a fresh read can never compare against a stale verdict (an operator's legitimate
    /// <c>ALTER ROLE … SET</c> between two runs is simply the next run's "before").
    /// </remarks>
    public static NpgsqlBatchCommand ReadCommand() => new(Query);

    /// <summary>The same read, its column named <paramref name="column"/> (a group's reads carry a name no body can guess).</summary>
    public static NpgsqlBatchCommand ReadCommand(string column) => new(Query.Replace("AS " + Column, "AS " + column, StringComparison.Ordinal));

    /// <summary>Throws when the defaults read after the tenant SQL differ from <paramref name="before"/>.</summary>
    public static void CheckUnchanged(string before, string? after)
    {
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            throw new NodeDbException(
                ErrorCodes.SqlError,
                "refused by the tenant sandbox: the SQL changed the login defaults of the tenant's role (ALTER ROLE … SET), which would change every later run; nothing was committed.");
        }
    }
}
