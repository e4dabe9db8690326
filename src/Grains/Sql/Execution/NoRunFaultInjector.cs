using NodeDb.Orleans.Grains.Running;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>The production <see cref="IRunFaultInjector"/>: does nothing.</summary>
internal sealed class NoRunFaultInjector : IRunFaultInjector
{
    public void OnSeam(RunSeam seam, JobRequest request, int attempt)
    {
    }
}
