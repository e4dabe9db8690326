using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace NodeDb.Orleans.Benchmarks.Measuring;

/// <summary>
/// Counts the warnings and errors a silo logs, by category and event, keeping one example message of each:
/// a silo that logs hundreds of "orphaned run" lines a second is not healthy, whatever the history says.
/// </summary>
/// <remarks>
/// Prints the first <paramref name="echoLimit"/> to <paramref name="echo"/> and then only counts: an overloaded silo
/// logs hundreds of thousands of lines, and writing them to the console would load the machine being measured.
/// </remarks>
public sealed class LogCounter(TextWriter? echo = null, int echoLimit = 20) : ILoggerProvider
{
    private readonly ConcurrentDictionary<(string Category, int EventId), Entry> _entries = new();
    private int _echoed;

    public int Total => _entries.Values.Sum(e => e.Count);

    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName);

    /// <summary>The most frequent kinds, e.g. "412 × JobDispatcher 2005 'Run … was dispatched again …'".</summary>
    public string Summary(int top = 3)
    {
        if (_entries.IsEmpty)
        {
            return "none";
        }

        return string.Join("; ", _entries.OrderByDescending(e => e.Value.Count).Take(top).Select(e =>
            string.Create(CultureInfo.InvariantCulture,
                $"{e.Value.Count} × {e.Key.Category.Split('.')[^1]} {e.Key.EventId} '{Shorten(e.Value.Example)}'")));
    }

    public void Dispose()
    {
    }

    private void Echo(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        if (echo is null)
        {
            return;
        }

        var n = Interlocked.Increment(ref _echoed);
        if (n <= echoLimit)
        {
            echo.WriteLine($"silo {level}: {category}[{eventId.Id}] {message}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
        }
        else if (n == echoLimit + 1)
        {
            echo.WriteLine($"silo: more than {echoLimit} warnings and errors; the rest are counted (see the table's notes), not printed.");
        }
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "...";

    private sealed class Entry(string example)
    {
        private int _count;

        public string Example { get; } = example;

        public int Count => _count;

        public void Increment() => Interlocked.Increment(ref _count);
    }

    private sealed class Counter(LogCounter owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            owner._entries.GetOrAdd((category, eventId.Id), _ => new Entry(message)).Increment();
            owner.Echo(logLevel, category, eventId, message, exception);
        }
    }
}
