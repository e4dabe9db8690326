using System.Text.Json.Nodes;
using NodeDb.Orleans.Client.Output;
using NodeDb.Orleans.Client.Web.Hosting;

namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>The HTTP API under <c>/api/v1</c>: the console client's commands as resources, in its <c>--json</c> shapes.</summary>
public static class ApiEndpoints
{
    public const string Prefix = "/api/v1";

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix).WithTags("NodeDb");
        api.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                var h = context.HttpContext;
                var caller = BearerKey.Read(h);
                caller.Attach(h);
                await TenantOperations.AttachAsync(h, caller);
                return await next(context);
            }
            catch (Exception e) when (Problems.Classify(e) is { } problem)
            {
                return Problems.Result(problem.Code, problem.Message, context.HttpContext.Request.Path);
            }
        });

        api.MapGet("/whoami", async (HttpContext h, CancellationToken _) =>
        {
            var who = await Ops(h).WhoAmIAsync();
            return Results.Json(new JsonObject
            {
                ["principal"] = who.Principal, ["keyId"] = who.KeyId, ["scope"] = who.Scope,
                ["role"] = who.Role.ToString().ToLowerInvariant(), ["tenant"] = Ops(h).Tenant,
            });
        }).WithSummary("Who the presented key stands for (principal, key id, scope, role) and the tenant the request acts for.");

        api.MapGet("/schedules", async (HttpContext h, string? q, string? filter, string? sort, int? page, int? pageSize) =>
        {
            var query = ScheduleListQuery.Parse(q, filter, sort, page, pageSize);
            var (items, total) = await Ops(h).ListAsync(query);
            return Results.Json(new JsonObject
            {
                ["items"] = new JsonArray([.. items.Select(JsonShapes.Schedule)]),
                ["total"] = total, ["page"] = query.Page, ["pageSize"] = query.PageSize,
            });
        }).WithSummary("The tenant's schedules: search by name (q), filter (paused, failing, late), sort (name, next, status, lateness), paged.");

        api.MapGet("/schedules/{name}", async (HttpContext h, string name) =>
        {
            var status = await Ops(h).GetAsync(name);
            h.Response.Headers.ETag = ScheduleVersion.ETag(status);
            return Results.Json(JsonShapes.Schedule(status));
        }).WithSummary("One schedule, with its ETag (send it back as If-Match to edit).");

        api.MapPost("/schedules", async (HttpContext h, DdlRequest body) =>
        {
            if (body.DryRun)
            {
                // Answers as the create would (the same status and problem code for a refusal), with where the error lies.
                var check = await Ops(h).CheckAsync(body.Ddl);
                if (!check.Valid)
                {
                    return Problems.Result(check.Code!, check.Error!, h.Request.Path, Problems.CheckExtensions(check));
                }

                var answer = JsonShapes.Check(check);
                answer["dryRun"] = true;
                return Results.Json(answer);
            }

            var status = await Ops(h).CreateAsync(body.Ddl);
            h.Response.Headers.ETag = ScheduleVersion.ETag(status);
            return Results.Created($"{h.Request.PathBase}{Prefix}/schedules/{Uri.EscapeDataString(status.Definition.Name)}", JsonShapes.Schedule(status));
        }).WithSummary("Create a schedule from a CREATE SCHEDULE statement, parsed by the silo (admin); dryRun checks it (parser, cron, body guard) and creates nothing (reader).");

        api.MapPut("/schedules/{name}", async (HttpContext h, string name, DdlRequest body) =>
        {
            if (body.DryRun)
            {
                // Refused rather than ignored: a client that thinks it only checks must never edit.
                throw new UsageException("dryRun is not supported for an edit: it checks CREATE SCHEDULE statements (POST /schedules); nothing was changed.");
            }

            var status = await Ops(h).AlterAsync(name, body.Ddl, h.Request.Headers.IfMatch.ToString());
            h.Response.Headers.ETag = ScheduleVersion.ETag(status);
            return Results.Json(JsonShapes.Schedule(status));
        }).WithSummary("Edit a schedule with ALTER SCHEDULE or CREATE OR REPLACE SCHEDULE; needs If-Match (admin).");

        api.MapDelete("/schedules/{name}", async (HttpContext h, string name) =>
        {
            await Ops(h).DropAsync(name, h.Request.Headers.IfMatch.ToString());
            return Results.Json(new JsonObject { ["schedule"] = name, ["deleted"] = true });
        }).WithSummary("Drop a schedule and its history; If-Match optional (admin).");

        api.MapGet("/schedules/{name}/runs", async (HttpContext h, string name, string? status, int? limit) =>
            Results.Json(new JsonArray([.. (await Ops(h).RunsAsync(name, TenantOperations.ParseStatus(status), limit ?? 50)).Select(JsonShapes.Run)])))
            .WithSummary("A schedule's runs, newest first, including occurrences that did not run and why.");

        api.MapGet("/runs", async (HttpContext h, string? status, int? limit) =>
            Results.Json(new JsonArray([.. (await Ops(h).RunsAsync(null, TenantOperations.ParseStatus(status), limit ?? 50)).Select(JsonShapes.Run)])))
            .WithSummary("The tenant's runs across schedules, newest first; filter by status.");

        api.MapPost("/schedules/{name}/pause", async (HttpContext h, string name, PauseRequest body) =>
            Results.Json(JsonShapes.Schedule(await Ops(h).PauseAsync(name, body.Reason, body.ResumeAt))))
            .WithSummary("Pause a schedule; the reason is required, resumeAt (an instant) optional: it then resumes by itself (operator).");

        api.MapPost("/schedules/{name}/resume", async (HttpContext h, string name) =>
            Results.Json(JsonShapes.Schedule(await Ops(h).ResumeAsync(name))))
            .WithSummary("Resume a paused schedule from the current occurrence on (operator).");

        api.MapPost("/schedules/{name}/trigger", async (HttpContext h, string name) =>
            Results.Json(new JsonObject { ["schedule"] = name, ["runId"] = await Ops(h).TriggerAsync(name) }, statusCode: StatusCodes.Status202Accepted))
            .WithSummary("Run the body now, recorded as a manual run (operator).");

        api.MapPost("/schedules/{name}/backfill", async (HttpContext h, string name, BackfillRequest body) =>
        {
            var from = body.From ?? throw new UsageException("from is required: the first instant of the range (ISO 8601).");
            var to = body.To ?? throw new UsageException("to is required: the last instant of the range (ISO 8601).");
            if (body.DryRun)
            {
                var occurrences = await Ops(h).BackfillPreviewAsync(name, from, to);
                return Results.Json(new JsonObject
                {
                    ["schedule"] = name, ["dryRun"] = true, ["count"] = occurrences.Length,
                    ["occurrences"] = new JsonArray([.. occurrences.Select(o => (JsonNode)JsonValue.Create(Spellings.Instant(o)))]),
                });
            }

            return Results.Json(new JsonObject { ["schedule"] = name, ["queued"] = await Ops(h).BackfillAsync(name, from, to) }, statusCode: StatusCodes.Status202Accepted);
        }).WithSummary("Run every occurrence of a past range; dryRun lists the occurrences without running them (operator).");

        api.MapGet("/cron/preview", async (HttpContext h, string? cron, string? timeZone, DateTimeOffset? from, int? count) =>
            Results.Json(JsonShapes.Occurrences(await Ops(h).PreviewAsync(cron, timeZone, from, count ?? 10))))
            .WithSummary("The next occurrences of a cron expression in a zone, read by the silo exactly as a schedule reads it.");

        api.MapGet("/cluster", async (HttpContext h, CancellationToken _) => Results.Json(new JsonObject
        {
            ["gateway"] = h.RequestServices.GetRequiredService<WebOptions>().Gateway,
            ["clusterId"] = h.RequestServices.GetRequiredService<WebOptions>().ClusterId,
            ["groups"] = new JsonArray([.. (await Ops(h).HealthAsync()).Select(JsonShapes.Health)]),
            ["silos"] = new JsonArray([.. (await Ops(h).SilosAsync()).Select(JsonShapes.Silo)]),
        })).WithSummary("The cluster as this web process reaches it, the replication groups' firing verdicts, and each silo's schedules, slots in use and queue.");

        api.MapGet("/audit", async (HttpContext h, int? limit, bool? cluster) =>
            Results.Json(new JsonArray([.. (await Ops(h).AuditAsync(cluster ?? false, limit ?? 50)).Select(JsonShapes.Audit)])))
            .WithSummary("Who changed what, and every refusal, newest first (admin).");

        api.MapGet("/keys", async (HttpContext h, bool? cluster) =>
            Results.Json(new JsonArray([.. (await Ops(h).KeysAsync(cluster ?? false)).Select(JsonShapes.Key)])))
            .WithSummary("The keys of the tenant (or of the cluster): never their secrets (admin).");

        api.MapPost("/keys", async (HttpContext h, KeyRequest body, bool? cluster) =>
        {
            var created = await Ops(h).CreateKeyAsync(cluster ?? false, body.Principal, body.Role, body.ExpiresAt);
            var json = JsonShapes.Key(created.Info);
            json["key"] = created.Key;
            return Results.Json(json, statusCode: StatusCodes.Status201Created);
        }).WithSummary("Create a key; the response holds its secret, the only time it is shown (admin).");

        api.MapDelete("/keys/{id}", async (HttpContext h, string id, bool? cluster) =>
            Results.Json(JsonShapes.Key(await Ops(h).RevokeKeyAsync(cluster ?? false, id))))
            .WithSummary("Revoke a key (admin).");

        api.MapGet("/events", (HttpContext h, string? schedule) => LiveRuns.StreamAsync(h, Ops(h), schedule))
            .WithSummary("Server-Sent Events: each new run of the tenant (or of one schedule) as a 'run' event in the run shape.");
    }

    private static TenantOperations Ops(HttpContext h) => TenantOperations.Of(h);
}
