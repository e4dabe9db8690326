namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>Run every occurrence in <c>[From, To]</c>; with <c>DryRun</c>, only list them.</summary>
public sealed record BackfillRequest(DateTimeOffset? From, DateTimeOffset? To, bool DryRun = false);
