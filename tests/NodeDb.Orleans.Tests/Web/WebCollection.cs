namespace NodeDb.Orleans.Tests.Web;

/// <summary>
/// The web client's tests: one real silo process and one web app for all of them, run on their own after the
/// parallel collections (the browser and the silo are the heaviest things the suite starts).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WebCollection : ICollectionFixture<WebFixture>
{
    public const string Name = "Web";
}
