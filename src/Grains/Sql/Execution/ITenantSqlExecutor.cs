namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Runs ad-hoc SQL (what the console client sends that is not schedule DDL) against a tenant's database.</summary>
public interface ITenantSqlExecutor
{
    /// <summary>
    /// Runs one statement or several (separated by <c>;</c>, or a <c>BEGIN … END</c> block) in one transaction,
    /// as <paramref name="owner"/> inside <paramref name="tenant"/>'s database, and returns the last statement's result.
    /// </summary>
    /// <remarks>Bounded by <see cref="TenantDatabaseOptions.DefaultTimeout"/>; the running statement is cancelled in the database when it expires.</remarks>
    /// <exception cref="NodeDbException">
    /// Code <c>sql_error</c> with the failing statement's position, text and the database's message (nothing is committed);
    /// <c>invalid_definition</c> for a tenant name that cannot be a database.
    /// </exception>
    Task<SqlResult> ExecuteAsync(string tenant, string sql, string owner, CancellationToken cancellationToken = default);
}
