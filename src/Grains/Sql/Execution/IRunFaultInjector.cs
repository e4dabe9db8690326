using NodeDb.Orleans.Grains.Running;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>A test seam called at each <see cref="RunSeam"/> of a run. Production registers a no-op.</summary>
/// <remarks>
/// An exception thrown from <see cref="OnSeam"/> is not an outcome of the body: it leaves
/// <see cref="IJobRunner.RunAsync"/> as it is, the way a dying silo would end the run, so tests can
/// check what recovery finds in the tenant's database.
/// </remarks>
public interface IRunFaultInjector
{
    /// <summary>Called synchronously when the run reaches <paramref name="seam"/> in attempt <paramref name="attempt"/>.</summary>
    void OnSeam(RunSeam seam, JobRequest request, int attempt);
}
