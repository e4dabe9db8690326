namespace NodeDb.Orleans.Silo.Profiles;

/// <summary>A real cluster: Azure Table clustering, grain state, reminders and history (Azurite locally).</summary>
public static class AzureProfile
{
    public static void Configure(ISiloBuilder silo, SiloSettings settings)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(settings);
        throw new NotSupportedException("The azure profile is not wired yet.");
    }
}
