namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>A new key: who it stands for, its role (reader, operator, admin) and an optional expiry.</summary>
public sealed record KeyRequest(string? Principal, string? Role, DateTimeOffset? ExpiresAt = null);
