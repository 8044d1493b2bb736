using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>Keeps every log entry of a gateway under test, so tests can check what was (not) logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    /// <summary>The access log lines written so far.</summary>
    public IEnumerable<string> AccessLog => Entries.Where(e => e.EventId.Name == "AccessLog").Select(e => e.Message);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

    /// <summary>
    /// The first access log line containing <paramref name="text"/>, waiting for it up to 15 s: the access log is written by
    /// a background writer, shortly after the response.
    /// </summary>
    public async Task<string> WaitForAccessLogAsync(string text)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (AccessLog.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new Xunit.Sdk.XunitException($"The gateway's access log did not show '{text}' within 15 s.");
            }

            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
    }

    public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
