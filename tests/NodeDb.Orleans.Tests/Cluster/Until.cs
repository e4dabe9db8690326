namespace NodeDb.Orleans.Tests.Cluster;

/// <summary>
/// Waits for an outcome that travels off the caller's path (a completion delivered from the thread pool, a row appended
/// by another grain). It only waits: the assertions that follow check exact values.
/// </summary>
public static class Until
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"The condition did not hold within {(limit ?? TimeSpan.FromSeconds(20)).TotalSeconds} s.");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
