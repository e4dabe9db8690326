namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>A schedule statement: <c>CREATE SCHEDULE …</c> to create, <c>ALTER SCHEDULE …</c> or <c>CREATE OR REPLACE SCHEDULE …</c> to edit.</summary>
public sealed record DdlRequest(string? Ddl);
