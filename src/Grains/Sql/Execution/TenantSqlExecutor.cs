using System.Collections.Concurrent;
using System.Data.Common;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>The <see cref="ITenantSqlExecutor"/> over the same tenant engines as <see cref="SqlJobRunner"/>.</summary>
internal sealed class TenantSqlExecutor : ITenantSqlExecutor
{
    private readonly TenantEngines _engines;
    private readonly TimeProvider _time;

    // Per silo: the session grain is a stateless worker, so a tenant's requests spread over silos; each silo bounds its share.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _running = new(StringComparer.Ordinal);

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
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new NodeDbException(ErrorCodes.SqlError, $"SQL '{sql}' has no statement to run.");
        }

        var options = _engines.Options;
        var gate = _running.GetOrAdd(tenant, _ => new SemaphoreSlim(options.AdHocMaxConcurrentPerTenant));
        if (!gate.Wait(0))
        {
            throw new NodeDbException(
                ErrorCodes.SqlError,
                $"Tenant '{tenant}' already runs {options.AdHocMaxConcurrentPerTenant} ad-hoc SQL requests on this silo "
                + $"(limit {nameof(TenantDatabaseOptions)}.{nameof(TenantDatabaseOptions.AdHocMaxConcurrentPerTenant)} = {options.AdHocMaxConcurrentPerTenant}): wait for one to finish.");
        }

        try
        {
            return await RunAsync(engine, tenant, sql, owner, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<SqlResult> RunAsync(ITenantEngine engine, string tenant, string sql, string owner, CancellationToken cancellationToken)
    {
        var timeout = _engines.Options.DefaultTimeout;
        using var budget = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, cancellationToken);
        try
        {
            return await engine.ExecuteAsync(tenant, sql, owner, linked.Token);
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
}
