namespace NodeDb.Orleans.Tests.Firing;

/// <summary>Cluster tests run one at a time: on 2 cores, parallel clusters only make timing noise.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
