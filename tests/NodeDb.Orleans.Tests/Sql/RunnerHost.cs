using Microsoft.Extensions.DependencyInjection;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>The runner wired as the silo wires it (<see cref="SqlServiceCollectionExtensions.AddNodeDbSql"/>), plus scripted faults.</summary>
internal sealed class RunnerHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private RunnerHost(ServiceProvider services, ScriptedFaults faults)
    {
        _services = services;
        Faults = faults;
        Runner = services.GetRequiredService<IJobRunner>();
        Executor = services.GetRequiredService<ITenantSqlExecutor>();
        Scheduler = new RecoveringScheduler(Runner);
    }

    public IJobRunner Runner { get; }

    public SqlJobRunner SqlRunner => (SqlJobRunner)Runner;

    public ITenantSqlExecutor Executor { get; }

    public ScriptedFaults Faults { get; }

    public RecoveringScheduler Scheduler { get; }

    /// <summary>The tenant engines the runner uses (internal: for checks of how the engine opens its databases).</summary>
    public TenantEngines Engines => _services.GetRequiredService<TenantEngines>();

    public static RunnerHost Create(Action<TenantDatabaseOptions> configure, TimeProvider? time = null)
    {
        var faults = new ScriptedFaults();
        var services = new ServiceCollection();
        services.AddSingleton<IRunFaultInjector>(faults);
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddNodeDbSql(o =>
        {
            o.RetryBackoff = TimeSpan.FromMilliseconds(5);
            o.SqliteBusyTimeout = TimeSpan.FromSeconds(1);
            configure(o);
        });
        return new RunnerHost(services.BuildServiceProvider(), faults);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
