namespace NodeDb.Orleans.Grains.Security;

/// <summary>Marks every call a silo makes (from a grain or a silo service) as internal, for <see cref="AuthorizationFilter"/>.</summary>
public sealed class InternalCallStamp(ClusterSecret secret) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        RequestContext.Set(ClusterSecret.RequestContextKey, secret.Token);
        return context.Invoke();
    }
}
