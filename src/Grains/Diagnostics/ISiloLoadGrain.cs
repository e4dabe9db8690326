namespace NodeDb.Orleans.Grains.Diagnostics;

/// <summary>
/// The load of one silo (its tick index and its dispatcher), keyed by the silo's parsable address and placed on that
/// silo. Internal: clients read it through <see cref="ISqlSessionGrain.GetSilosAsync"/>, which asks every active silo.
/// </summary>
[Alias("nodedb.ISiloLoadGrain")]
public interface ISiloLoadGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<SiloLoad> GetAsync();
}
