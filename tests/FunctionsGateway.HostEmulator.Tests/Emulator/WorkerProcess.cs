using System.Diagnostics;
using FunctionsGateway.Functions.Tests;

namespace FunctionsGateway.HostEmulator.Tests.Emulator;

/// <summary>
/// The worker as the Functions host starts it: <c>dotnet FunctionsGateway.Functions.dll</c> in the app folder with the
/// host's command line (both the classic <c>--host/--port/--workerId/--requestId/--grpcMaxMessageLength</c> switches
/// and the <c>--functions-*</c> ones newer hosts add) and the app settings as environment variables.
/// Everything it writes to stdout and stderr is kept for failure messages.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private const int GrpcMaxMessageLength = int.MaxValue;

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process) => _process = process;

    /// <summary>Completes with the exit code when the process ends.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>What the worker wrote so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    public static WorkerProcess Start(string appFolder, Uri hostGrpc, string workerId, string requestId, IReadOnlyDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var maxLength = GrpcMaxMessageLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.ArgumentList.Add(Path.Combine(appFolder, WorkerPublication.WorkerAssembly));
        foreach (var argument in new[]
        {
            "--host", hostGrpc.Host, "--port", hostGrpc.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", maxLength,
            "--functions-uri", hostGrpc.ToString(), "--functions-worker-id", workerId, "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", maxLength,
        })
        {
            info.ArgumentList.Add(argument);
        }

        // The worker gets the host's environment, not the test runner's: settings a developer has exported must not
        // make a missing app setting look present.
        foreach (var name in info.Environment.Keys.Where(IsAppSettingLike).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Add(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Add(e.Data);
        // Exited can fire before the last output lines are read; WaitForExitAsync also waits for both pipes to close.
        process.Exited += (_, _) => _ = process.WaitForExitAsync().ContinueWith(_ => worker._exited.TrySetResult(process.ExitCode), TaskScheduler.Default);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Kills the process if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_exited.Task.IsCompleted)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static bool IsAppSettingLike(string name) =>
        name.StartsWith("Gateway__", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("APPLICATIONINSIGHTS_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("FUNCTIONS_", StringComparison.OrdinalIgnoreCase)
        || name is "AZURE_CLIENT_ID" or "HealthProbeSchedule";

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }
}
