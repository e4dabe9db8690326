namespace NodeDb.Orleans.Grains;

/// <summary>
/// Grain references by string key without <c>GetGrain</c>'s per-call reflection: Orleans resolves the interface's grain
/// type from its attributes on every <c>GetGrain&lt;T&gt;(key)</c> (27 µs of a bulk create's four calls, issue 13). The
/// first call of each interface resolves it that way; later calls build the reference from the cached types.
/// </summary>
/// <remarks>
/// The grain type and interface type of an interface depend only on its attributes and the grain class implementing it,
/// the same for every silo of a process, so the cache is per process.
/// </remarks>
internal static class GrainReferences
{
    /// <summary>The reference to the grain of interface <typeparamref name="T"/> keyed <paramref name="key"/>.</summary>
    public static T Get<T>(this IGrainFactory factory, string key) where T : IGrainWithStringKey
    {
        if (Types<T>.Resolved is { } types)
        {
            return (T)factory.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
        }

        var reference = factory.GetGrain<T>(key);
        if (reference is GrainReference resolved)
        {
            Types<T>.Resolved = new ResolvedTypes(resolved.GrainId.Type, resolved.InterfaceType);
        }

        return reference;
    }

    // A class, so a reader never sees half of a pair another thread is writing.
    private sealed record ResolvedTypes(GrainType Grain, GrainInterfaceType Interface);

    private static class Types<T>
    {
        public static ResolvedTypes? Resolved;
    }
}
