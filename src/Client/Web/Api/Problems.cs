using NodeDb.Orleans.Client.Connection;

namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>Failures as RFC 9457 problem details, with the same codes as the console client (<see cref="ErrorCodes"/>).</summary>
public static class Problems
{
    public const string TypePrefix = "urn:nodedb:error:";

    /// <summary>The HTTP status of a code.</summary>
    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.Unauthenticated => StatusCodes.Status401Unauthorized,
        ErrorCodes.PermissionDenied => StatusCodes.Status403Forbidden,
        ErrorCodes.NotFound => StatusCodes.Status404NotFound,
        ErrorCodes.AlreadyExists => StatusCodes.Status409Conflict,
        WebErrorCodes.EditConflict => StatusCodes.Status412PreconditionFailed,
        WebErrorCodes.PreconditionRequired => StatusCodes.Status428PreconditionRequired,
        WebErrorCodes.Unreachable => StatusCodes.Status503ServiceUnavailable,
        ErrorCodes.StorageFailed => StatusCodes.Status503ServiceUnavailable,
        WebErrorCodes.Unexpected => StatusCodes.Status500InternalServerError,
        ErrorCodes.SqlError => StatusCodes.Status422UnprocessableEntity,
        ErrorCodes.BodyRejected => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>A failure of a call as (code, message); null for an exception that is not the caller's business (rethrow).</summary>
    public static (string Code, string Message)? Classify(Exception e) => e switch
    {
        NodeDbException n => (n.Code, n.Message),
        UsageException u => (WebErrorCodes.InvalidRequest, u.Message),
        ArgumentException a => (ErrorCodes.InvalidDefinition, a.Message),
        UnreachableException u => (WebErrorCodes.Unreachable, u.Message),
        TimeoutException t => (WebErrorCodes.Unreachable, $"the cluster did not answer in time: {t.Message}"),
        global::Orleans.Runtime.OrleansMessageRejectionException r => (WebErrorCodes.Unreachable, $"the cluster refused the call: {r.Message}"),
        _ => null,
    };

    public static IResult Result(string code, string message, string? instance = null, IDictionary<string, object?>? more = null)
    {
        var status = StatusOf(code);
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        foreach (var (key, value) in more ?? new Dictionary<string, object?>())
        {
            extensions[key] = value;
        }

        return TypedResults.Problem(
            statusCode: status,
            title: Title(code),
            detail: message,
            type: TypePrefix + code,
            instance: instance,
            extensions: extensions);
    }

    /// <summary>What a refused DDL check adds to its problem: where the error lies, the next fire times and the body's verdict when known.</summary>
    public static IDictionary<string, object?> CheckExtensions(DdlCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new Dictionary<string, object?>
        {
            ["dryRun"] = true,
            ["line"] = check.Line,
            ["column"] = check.Column,
            ["name"] = check.Name,
            ["zone"] = check.Zone,
            ["next"] = check.Next.Select(Output.Spellings.Instant).ToArray(),
            ["body"] = check.Body,
        };
    }

    private static string Title(string code) => code switch
    {
        ErrorCodes.Unauthenticated => "Not authenticated",
        ErrorCodes.PermissionDenied => "Permission denied",
        ErrorCodes.NotFound => "Not found",
        ErrorCodes.AlreadyExists => "Already exists",
        WebErrorCodes.EditConflict => "Edited meanwhile",
        WebErrorCodes.PreconditionRequired => "If-Match required",
        WebErrorCodes.Unreachable => "Cluster unreachable",
        _ => "Refused",
    };
}
