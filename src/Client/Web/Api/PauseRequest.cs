namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>Why a schedule is paused: required, shown to every reader and kept in the audit log.</summary>
public sealed record PauseRequest(string? Reason, DateTimeOffset? ResumeAt = null);
