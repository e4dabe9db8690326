namespace NodeDb.Orleans;

/// <summary>Builds and splits the <c>"{tenant}/{name}"</c> key of a schedule grain.</summary>
public static class ScheduleKey
{
    public static string Of(string tenant, string name) => $"{tenant}/{name}";

    public static (string Tenant, string Name) Split(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"Schedule key '{key}' is not of the form 'tenant/name'.", nameof(key));
        }

        return (key[..slash], key[(slash + 1)..]);
    }
}
