namespace NodeDb.Orleans;

/// <summary>
/// A request the service refuses: bad cron, unknown zone, rejected body, missing schedule.
/// The message names the offending value and the reason; <see cref="Code"/> is stable for scripts.
/// It never carries an inner exception: it crosses the wire to clients that know none of the server's types.
/// </summary>
[GenerateSerializer, Alias("nodedb.NodeDbException")]
public sealed class NodeDbException : Exception
{
    public NodeDbException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>A stable, machine-readable code such as <c>invalid_cron</c> or <c>not_found</c>.</summary>
    [Id(0)] public string Code { get; }
}
