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
    private const string Query = """
        SELECT coalesce(pg_catalog.string_agg(s.setdatabase::text || ':' || pg_catalog.array_to_string(s.setconfig, ','), ';' ORDER BY s.setdatabase), '')
        FROM pg_catalog.pg_db_role_setting s
        WHERE s.setrole = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = SESSION_USER)
        """;

    /// <summary>The login role's defaults, as one comparable text.</summary>
    public static async Task<string> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Query, connection, transaction);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Throws when the defaults differ from <paramref name="before"/>.</summary>
    public static async Task CheckUnchangedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string before, CancellationToken cancellationToken)
    {
        var after = await ReadAsync(connection, transaction, cancellationToken);
        if (!string.Equals(before, after, StringComparison.Ordinal))
        {
            throw new NodeDbException(
                ErrorCodes.SqlError,
                "refused by the tenant sandbox: the SQL changed the login defaults of the tenant's role (ALTER ROLE … SET), which would change every later run; nothing was committed.");
        }
    }
}
