namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>A schedule statement: <c>CREATE SCHEDULE …</c> to create, <c>ALTER SCHEDULE …</c> or <c>CREATE OR REPLACE SCHEDULE …</c> to edit.</summary>
/// <param name="Ddl">The statement.</param>
/// <param name="DryRun">On create: check the statement as the silo would (parser, cron, zone, limits, body guard) and create nothing.</param>
public sealed record DdlRequest(string? Ddl, bool DryRun = false);
