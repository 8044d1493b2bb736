using System.Text;

namespace FunctionsGateway.DevHost;

/// <summary>
/// Standard output through a 64 KiB buffer, written out every <see cref="FlushInterval"/>, when the buffer fills and
/// when the DevHost stops, instead of one write system call per line. Used only when standard output is redirected (a
/// file, a pipe, a container's log collector); a terminal keeps line-by-line output. With the access log on, the
/// console logger's one call per line was about 4 % of the gateway's CPU under load (docs/benchmarks.md). The cost: a
/// line reaches the file up to 100 ms later, and a process killed outright loses at most that much output.
/// </summary>
internal sealed class BufferedConsoleOutput : IDisposable
{
    /// <summary>How often buffered output is written out.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    private readonly Timer _timer;

    private BufferedConsoleOutput()
    {
        var buffered = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024)
        {
            AutoFlush = false,
        };

        // SetOut wraps the writer in a synchronized one, so the console logger's thread and the timer take turns.
        // The console logger keeps the writer it found when it was made, so output stays buffered to the end; what
        // is written after Dispose goes out when the process exits.
        Console.SetOut(buffered);
        AppDomain.CurrentDomain.ProcessExit += static (_, _) => Flush();
        _timer = new Timer(static _ => Flush(), null, FlushInterval, FlushInterval);
    }

    /// <summary>Buffers standard output when it is redirected; null (nothing changed) when it is a terminal.</summary>
    public static BufferedConsoleOutput? StartIfRedirected() => Console.IsOutputRedirected ? new BufferedConsoleOutput() : null;

    /// <summary>Stops the timer and writes out what is buffered.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }

    private static void Flush()
    {
        try
        {
            Console.Out.Flush();
        }
        catch (IOException)
        {
            // The reader went away (a closed pipe); there is nobody to write for.
        }
    }
}
