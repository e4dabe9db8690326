namespace NodeDb.Orleans.Security;

/// <summary>
/// A client-side outgoing call filter that presents an API key on every call, in the request context under
/// <see cref="RequestContextKey"/>. A key already in the request context (set for one scope of calls) wins.
/// </summary>
/// <remarks>The silo removes the key from the request context once it has checked it, so it never reaches grain code.</remarks>
public sealed class ApiKeyPresenter(string? key) : IOutgoingGrainCallFilter
{
    /// <summary>Where the key travels.</summary>
    public const string RequestContextKey = "nodedb.key";

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (key is not null && RequestContext.Get(RequestContextKey) is null)
        {
            RequestContext.Set(RequestContextKey, key);
        }

        return context.Invoke();
    }
}
