using System.Globalization;

namespace NodeDb.Orleans.Client.Web.Api;

/// <summary>The entity tag of a schedule: its last update instant, which every change of its definition moves.</summary>
public static class ScheduleVersion
{
    public static string ETag(ScheduleStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return "\"" + status.UpdatedAt.UtcTicks.ToString("x", CultureInfo.InvariantCulture) + "\"";
    }

    /// <summary>Does an If-Match header name this version (or <c>*</c>)?</summary>
    public static bool Matches(string ifMatch, ScheduleStatus status)
    {
        ArgumentNullException.ThrowIfNull(ifMatch);
        var current = ETag(status);
        return ifMatch.Split(',').Select(t => t.Trim()).Any(t => t == "*" || t == current || t == "W/" + current);
    }
}
