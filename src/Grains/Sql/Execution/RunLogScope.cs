using System.Collections;
using NodeDb.Orleans.Grains.Diagnostics;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>The logging scope of one run: its tenant, schedule and run id, as attributes of every log record of the run.</summary>
/// <remarks>A list of pairs is what logging providers (OpenTelemetry's included) turn into structured attributes.</remarks>
internal sealed class RunLogScope(string tenant, string schedule, string runId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new(SchedulerTags.Tenant, tenant),
        1 => new(SchedulerTags.Schedule, schedule),
        2 => new(SchedulerTags.RunId, runId),
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "A run's log scope has three attributes."),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"run {runId} of {tenant}/{schedule}";
}
