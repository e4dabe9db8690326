namespace NodeDb.Orleans;

/// <summary>The <see cref="NodeDbException.Code"/> values.</summary>
public static class ErrorCodes
{
    public const string InvalidCron = "invalid_cron";
    public const string InvalidTimeZone = "invalid_timezone";
    public const string InvalidDefinition = "invalid_definition";
    public const string BodyRejected = "body_rejected";
    public const string NotFound = "not_found";
    public const string AlreadyExists = "already_exists";
    public const string SyntaxError = "syntax_error";
    public const string SqlError = "sql_error";

    /// <summary>No key, or an unknown, expired or revoked one.</summary>
    public const string Unauthenticated = "unauthenticated";

    /// <summary>A valid key asked for something outside its tenant or above its role, or for an internal grain.</summary>
    public const string PermissionDenied = "permission_denied";

    /// <summary>
    /// An edit carried a version precondition (<see cref="EditPrecondition"/>) that the schedule no longer matches:
    /// someone changed it since the caller read it.
    /// </summary>
    public const string EditConflict = "edit_conflict";

    /// <summary>
    /// A write to storage failed and its outcome is unknown (it may have committed): read the schedule to see, or retry the
    /// create (a bulk create reports it per schedule).
    /// </summary>
    public const string StorageFailed = "storage_failed";
}
