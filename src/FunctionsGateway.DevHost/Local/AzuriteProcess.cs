using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace FunctionsGateway.DevHost.Local;

/// <summary>
/// Azurite's Table service as a child process, installed from the repository's pinned npm manifest
/// (tools/azurite) on first use. Used by the DevHost for local runs and by the tests.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's well-known development account key (public, documented by Microsoft).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly StandardError _errors;

    private AzuriteProcess(Process process, StandardError errors, int port)
    {
        _process = process;
        _errors = errors;
        Port = port;
    }

    /// <summary>The Table service port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>A connection string for the development account on this instance.</summary>
    public string ConnectionString => ConnectionStringFor(Port);

    /// <summary>The last lines Azurite wrote to stderr, for failure messages.</summary>
    public string RecentErrors => _errors.ToString();

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>A connection string for the development account on a given port.</summary>
    public static string ConnectionStringFor(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    /// <summary>True when something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Installs Azurite if needed and starts its Table service on 127.0.0.1:<paramref name="port"/> (0 picks a free port).
    /// Throws with a message saying what to do when Node.js is missing or Azurite does not come up.
    /// </summary>
    /// <param name="port">The port, or 0 for a free one.</param>
    /// <param name="dataFolder">Where to keep the data; null keeps it in memory only.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<AzuriteProcess> StartAsync(int port = 0, string? dataFolder = null, CancellationToken cancellationToken = default)
    {
        var root = RepositoryRoot.Find()
            ?? throw new InvalidOperationException("Azurite is started from the repository's tools/azurite folder, but no checkout of FunctionsGateway was found above " + AppContext.BaseDirectory + ". Start Azurite yourself (npx azurite-table) or point Gateway__Storage__ConnectionString at a storage account.");
        var toolFolder = Path.Combine(root, "tools", "azurite");
        var script = Path.Combine(toolFolder, "node_modules", "azurite", "dist", "src", "table", "main.js");
        if (!File.Exists(script))
        {
            await RunToCompletionAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], toolFolder, cancellationToken).ConfigureAwait(false);
        }

        if (port == 0)
        {
            port = FreePort();
        }

        var arguments = new List<string>
        {
            script, "--tableHost", "127.0.0.1", "--tablePort", port.ToString(CultureInfo.InvariantCulture),
            "--skipApiVersionCheck", "--disableTelemetry", "--silent", "--loose",
        };
        if (dataFolder is null)
        {
            arguments.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(dataFolder);
            arguments.AddRange(["--location", dataFolder]);
        }

        var (process, errors) = Start("node", arguments, toolFolder);
        var azurite = new AzuriteProcess(process, errors, port);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} right after starting on port {port}: {errors}");
            }

            if (await IsListeningAsync(port, cancellationToken).ConfigureAwait(false))
            {
                return azurite;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        await azurite.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{port} within 30 s.");
    }

    /// <summary>Stops the process (and its children).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    private static (Process Process, StandardError Errors) Start(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
            // Drain both pipes so a chatty child never blocks on a full buffer; keep the end of stderr for messages.
            var errors = new StandardError();
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) => errors.Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return (process, errors);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not run '{fileName}': {ex.Message}. Install Node.js 20 or later (it brings npm), then try again.", ex);
        }
    }

    private static async Task RunToCompletionAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var (process, errors) = Start(fileName, arguments, workingDirectory);
        using (process)
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"'{fileName} {string.Join(' ', arguments)}' in {workingDirectory} failed with exit code {process.ExitCode}: {errors}");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The last lines a child wrote to stderr.</summary>
    private sealed class StandardError
    {
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Enqueue(line);
                if (_lines.Count > 40)
                {
                    _lines.Dequeue();
                }
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }
}
