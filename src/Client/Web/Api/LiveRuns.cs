using System.Text.Json.Nodes;
using NodeDb.Orleans.Client.Output;
using NodeDb.Orleans.Client.Web.Hosting;

namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>
/// Server-Sent Events of new runs: the stream polls the tenant's history with the caller's key (so a revoked key ends
/// it) and sends each run not sent before as an <c>event: run</c> in the run shape.
/// </summary>
public static class LiveRuns
{
    /// <summary>How many of the newest rows each poll reads.</summary>
    private const int Window = 50;

    /// <summary>Writes the stream until the client goes away. Runs inside the request's own flow, where its key is presented.</summary>
    public static async Task<IResult> StreamAsync(HttpContext h, TenantOperations ops, string? schedule)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(ops);
        var options = h.RequestServices.GetRequiredService<WebOptions>();
        var time = h.RequestServices.GetRequiredService<TimeProvider>();
        var ct = h.RequestAborted;

        // The rows already there are what the page shows; only newer ones are news. Checked before the stream starts,
        // so an unknown schedule or a refused key is an ordinary problem response.
        var seen = new HashSet<string>((await ops.RunsAsync(schedule, null, Window)).Select(Id), StringComparer.Ordinal);
        h.Response.Headers.ContentType = "text/event-stream";
        h.Response.Headers.CacheControl = "no-cache";
        h.Response.Headers["X-Accel-Buffering"] = "no";
        await h.Response.WriteAsync(": live\n\n", ct);
        await h.Response.Body.FlushAsync(ct);
        using var timer = new PeriodicTimer(options.LivePollInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var rows = await ops.RunsAsync(schedule, null, Window);
                if (seen.Count > 20 * Window)
                {
                    // Bounded memory on a stream left open for days: only the current window can repeat.
                    seen.IntersectWith(rows.Select(Id));
                }

                foreach (var run in rows.Reverse().Where(r => seen.Add(Id(r))))
                {
                    await h.Response.WriteAsync($"event: run\ndata: {JsonShapes.Run(run).ToJsonString()}\n\n", ct);
                }

                await h.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The browser went away.
        }
        catch (Exception e) when (Problems.Classify(e) is { } problem)
        {
            var data = new JsonObject { ["code"] = problem.Code, ["detail"] = problem.Message }.ToJsonString();
            await h.Response.WriteAsync($"event: problem\ndata: {data}\n\n", CancellationToken.None);
        }

        return Results.Empty;
    }

    private static string Id(RunRecord r) => r.RunId + "/" + r.Status;
}
