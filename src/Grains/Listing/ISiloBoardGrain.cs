using System.Collections.Immutable;

namespace NodeDb.Orleans.Grains.Listing;

/// <summary>
/// The <see cref="ScheduleBoard"/> of one silo, keyed by the silo's parsable address and placed on it. Internal: clients
/// read a tenant's summaries through <see cref="ISqlSessionGrain.GetSummariesAsync"/>.
/// </summary>
[Alias("nodedb.ISiloBoardGrain")]
public interface ISiloBoardGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<ImmutableArray<ScheduleSummary>> GetAsync(string tenant);
}
