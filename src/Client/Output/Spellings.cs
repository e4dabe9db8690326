using System.Globalization;

namespace NodeDb.Orleans.Client.Output;

/// <summary>How values are written in both outputs: policies as in the DDL, instants in ISO 8601.</summary>
public static class Spellings
{
    /// <summary><c>ALLOW</c>, <c>SKIP</c>, <c>BUFFER_ONE</c>, <c>CANCEL_PREVIOUS</c>: what one writes in <c>WITH (OVERLAP = …)</c>.</summary>
    public static string Of(OverlapPolicy policy) => policy switch
    {
        OverlapPolicy.Allow => "ALLOW",
        OverlapPolicy.Skip => "SKIP",
        OverlapPolicy.BufferOne => "BUFFER_ONE",
        OverlapPolicy.CancelPrevious => "CANCEL_PREVIOUS",
        _ => policy.ToString().ToUpperInvariant(),
    };

    /// <summary><c>SKIP</c>, <c>CATCH_UP</c>, <c>QUEUE</c>.</summary>
    public static string Of(MissedPolicy policy) => policy switch
    {
        MissedPolicy.Skip => "SKIP",
        MissedPolicy.CatchUp => "CATCH_UP",
        MissedPolicy.Queue => "QUEUE",
        _ => policy.ToString().ToUpperInvariant(),
    };

    /// <summary><c>NORMAL</c> or <c>LOCAL</c>.</summary>
    public static string Of(ScheduleScope scope) => scope == ScheduleScope.Local ? "LOCAL" : "NORMAL";

    /// <summary>ISO 8601 with the instant's own offset, whole seconds unless there is a fraction: <c>2026-03-29T03:30:00+02:00</c>.</summary>
    public static string Instant(DateTimeOffset instant) =>
        instant.ToString(
            instant.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:sszzz" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
            CultureInfo.InvariantCulture);

    public static string? Instant(DateTimeOffset? instant) => instant is { } i ? Instant(i) : null;

    /// <summary>The same, for tables: <c>2026-03-29 03:30:00 +02:00</c>, or a dash.</summary>
    public static string Human(DateTimeOffset? instant) =>
        instant is { } i ? i.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) : "-";

    public static string Human(TimeSpan? span) => span switch
    {
        null => "-",
        { TotalSeconds: < 1 } s => string.Create(CultureInfo.InvariantCulture, $"{s.TotalMilliseconds:0.#} ms"),
        { TotalMinutes: < 1 } s => string.Create(CultureInfo.InvariantCulture, $"{s.TotalSeconds:0.##} s"),
        { TotalDays: < 1 } s => s.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture),
        { } s => s.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture),
    };
}
