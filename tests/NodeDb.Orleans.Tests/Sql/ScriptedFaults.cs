using System.Collections.Concurrent;
using NodeDb.Orleans.Grains.Running;
using NodeDb.Orleans.Grains.Sql.Execution;

namespace NodeDb.Orleans.Tests.Sql;

/// <summary>A fault injector the test scripts: records every seam reached and runs the handler set for it.</summary>
internal sealed class ScriptedFaults : IRunFaultInjector
{
    private readonly ConcurrentDictionary<RunSeam, Action<JobRequest, int>> _handlers = new();

    public ConcurrentQueue<(RunSeam Seam, int Attempt)> Reached { get; } = new();

    /// <summary>Runs <paramref name="handler"/> the first time <paramref name="seam"/> is reached, then never again.</summary>
    public void Once(RunSeam seam, Action<JobRequest, int> handler)
    {
        var fired = 0;
        _handlers[seam] = (request, attempt) =>
        {
            if (Interlocked.Exchange(ref fired, 1) == 0)
            {
                handler(request, attempt);
            }
        };
    }

    /// <summary>Makes the silo "die" the first time the run reaches <paramref name="seam"/>.</summary>
    public void CrashOnce(RunSeam seam) => Once(seam, (_, attempt) => throw new SimulatedCrashException(seam, attempt));

    public void OnSeam(RunSeam seam, JobRequest request, int attempt)
    {
        Reached.Enqueue((seam, attempt));
        if (_handlers.TryGetValue(seam, out var handler))
        {
            handler(request, attempt);
        }
    }
}
