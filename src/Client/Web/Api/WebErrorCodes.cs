namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>Problem codes of the HTTP layer itself, beside the cluster's <see cref="ErrorCodes"/>.</summary>
public static class WebErrorCodes
{
    /// <summary>A request the API cannot read: a missing field, a bad number, a tenant the key may not name.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>If-Match named another version than the schedule's current one (the same code the schedule grain gives).</summary>
    public const string EditConflict = ErrorCodes.EditConflict;

    /// <summary>An edit without If-Match.</summary>
    public const string PreconditionRequired = "precondition_required";

    /// <summary>No silo answered.</summary>
    public const string Unreachable = "unreachable";

    public const string Unexpected = "unexpected";
}
