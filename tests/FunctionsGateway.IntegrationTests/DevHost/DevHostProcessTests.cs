using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.DevHost;

/// <summary>
/// The DevHost run as a newcomer runs it, in its own process (each bounded to 60 s): --help, a mistyped switch, a
/// port already in use and ASPNETCORE_URLS.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DevHostProcessTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Help_PrintsEverySwitchAndCommandAndTheReadmeCommands_AndExits0()
    {
        var run = await RunToEndAsync(["--help"]);

        Assert.Equal(0, run.ExitCode);
        foreach (var text in new[] { "--samples", "--seed FILE", "--urls", "--help", "apikey create --consumer NAME", "apikey disable", "apikey list",
                     "routes export [--file FILE]", "routes validate FILE", "routes diff FILE", "routes apply FILE [--yes]",
                     "--table-endpoint", "dotnet run --project src/FunctionsGateway.DevHost -- --samples", "dotnet test FunctionsGateway.sln" })
        {
            Assert.Contains(text, run.Output, StringComparison.Ordinal);
        }

        Assert.Equal(string.Empty, run.Errors);
    }

    [Fact]
    public async Task MistypedSwitch_IsAnErrorWithAHint_AndExits2()
    {
        var run = await RunToEndAsync(["--sampels"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            "'--sampels' is not a DevHost switch; did you mean --samples? Run with --help to see them all; settings are written "
            + "--Section:Key=value (such as --Gateway:Storage:ConnectionString=...).",
            run.Errors.Trim());
    }

    [Fact]
    public async Task PortAlreadyInUse_IsOneLineSayingWhichPortAndHowToChooseAnother_AndExits1()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var run = await RunToEndAsync(["--urls", $"http://127.0.0.1:{port}", .. StorageArguments()]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            $"Cannot listen on http://127.0.0.1:{port}: port {port} is already in use (another DevHost, or another program). "
            + "Stop it, or choose another address: --urls http://localhost:7072 (or ASPNETCORE_URLS=http://localhost:7072).",
            run.Errors.Trim());
        Assert.DoesNotContain("   at ", run.Output + run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AspNetCoreUrls_IsWhereItListens()
    {
        var port = FreePort();
        using var process = Start(StorageArguments(), ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}"));
        try
        {
            var response = await StatusOnceReadyAsync(port);

            Assert.NotNull(response);
            Assert.Contains("\"status\": \"ok\"", response, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task StartedFromAnotherDirectory_ReadsItsOwnAppSettings_SoRequestsAreNotLoggedByTheFramework()
    {
        var port = FreePort();
        var elsewhere = Directory.CreateTempSubdirectory("devhost-cwd-").FullName;
        using var process = Start(StorageArguments(), elsewhere, ("ASPNETCORE_URLS", $"http://127.0.0.1:{port}"));
        var output = process.StandardOutput.ReadToEndAsync();
        try
        {
            var response = await StatusOnceReadyAsync(port);
            Assert.NotNull(response);
        }
        finally
        {
            await StopAsync(process);
            Directory.Delete(elsewhere, recursive: true);
        }

        // appsettings.json beside the DevHost sets Microsoft.AspNetCore to Warning; missed, each request would log "Request starting".
        // Redirected output is buffered (BufferedConsoleOutput); a graceful stop writes out all of it, the last lines too.
        var log = await output;
        Assert.Contains($"Content root path: {AppContext.BaseDirectory}", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Request starting", log, StringComparison.Ordinal);
        Assert.Contains("Application is shutting down...", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Routes_BrokenFile_IsOneLineWithWhereItBroke_AndExits1()
    {
        var file = Path.Combine(Path.GetTempPath(), $"routes-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, "{ \"version\": 1,\n  \"rows\": [ { ] }");
        try
        {
            var run = await RunToEndAsync(["routes", "validate", file]);

            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith($"{file}: line 2, position 15: not valid JSON: ", run.Errors, StringComparison.Ordinal);
            Assert.Single(run.Errors.Trim().Split('\n'));
            Assert.Equal(string.Empty, run.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Routes_StorageSwitchToAnAccountThatDoesNotAnswer_IsOneLine_AndExits1()
    {
        var nowhere = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=bm93aGVyZQ==;TableEndpoint={ClosedPort.Url()}devstoreaccount1";

        var run = await RunToEndAsync(["routes", "export", "--connection-string", nowhere]);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("storage unreachable: ", run.Errors, StringComparison.Ordinal);
        Assert.Single(run.Errors.Trim().Split('\n'));
        Assert.Equal(string.Empty, run.Output);
    }

    private string[] StorageArguments()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        return
        [
            $"--Gateway:Storage:ConnectionString={azurite.ConnectionString}",
            $"--Gateway:Tables:Routes=ProcRoutes{suffix}", $"--Gateway:Tables:Backends=ProcBackends{suffix}",
            $"--Gateway:Tables:BackendHealth=ProcHealth{suffix}", $"--Gateway:Tables:ApiKeys=ProcKeys{suffix}",
            $"--Gateway:Tables:RateLimits=ProcLimits{suffix}",
        ];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process Start(string[] args, params (string Name, string Value)[] environment) =>
        Start(args, AppContext.BaseDirectory, environment);

    private static Process Start(string[] args, string workingDirectory, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FunctionsGateway.DevHost.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    // SIGTERM, as a container runtime or Ctrl+C stops it: the DevHost shuts down gracefully.
    private static async Task StopAsync(Process process)
    {
        using (var signal = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await signal.WaitForExitAsync();
        }

        using var bound = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The DevHost did not stop within {Bound.TotalSeconds} s of SIGTERM.");
        }
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunToEndAsync(string[] args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The DevHost did not exit within {Bound.TotalSeconds} s.");
        }

        return (process.ExitCode, await output, await errors);
    }

    // The status listing once the DevHost on port answers it with 200; null if it never does within the bound.
    private static Task<string?> StatusOnceReadyAsync(int port) => PollAsync(async () =>
    {
        try
        {
            var answer = await RawHttp.SendAsync(new Uri($"http://127.0.0.1:{port}/"),
                "GET /_gateway/status HTTP/1.1\nHost: localhost\nConnection: close\n\n", TimeSpan.FromSeconds(5));
            return answer.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) ? answer : null;
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return null;
        }
    });

    private static async Task<T?> PollAsync<T>(Func<Task<T?>> attempt)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < Bound)
        {
            if (await attempt() is { } result)
            {
                return result;
            }

            await Task.Delay(200);
        }

        return default;
    }
}
