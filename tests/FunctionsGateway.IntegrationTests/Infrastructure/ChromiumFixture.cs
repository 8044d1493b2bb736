using System.Diagnostics;
using Microsoft.Playwright;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>
/// One headless Chromium for the browser tests, driven by Playwright. Playwright cannot download its own browsers here,
/// so it drives the system's Chromium (<see cref="ExecutablePath"/>, Debian's <c>chromium</c> package). On a machine without
/// it the fixture installs it (<c>apt-get update</c>, <c>apt-get install -y chromium</c>) when running as root; otherwise,
/// or when that fails, every browser test fails with what to run. Never skipped.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>Where Debian's <c>chromium</c> package puts the browser.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium did not start.");

    public async Task InitializeAsync()
    {
        await EnsureInstalledAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,

            // Test containers run as root, where Chromium's sandbox cannot start.
            Args = ["--no-sandbox"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private static async Task EnsureInstalledAsync()
    {
        if (File.Exists(ExecutablePath))
        {
            return;
        }

        const string Instructions = "Install it with: sudo apt-get update && sudo apt-get install -y chromium";
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get"))
        {
            throw new InvalidOperationException($"The browser tests need Chromium at {ExecutablePath} (Debian's chromium package) and this machine has no apt-get to install it. {Instructions}");
        }

        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException($"The browser tests need Chromium at {ExecutablePath} and only root can install it. {Instructions}");
        }

        await RunAsync("update");
        await RunAsync("install -y --no-install-recommends chromium");
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"apt-get installed chromium but {ExecutablePath} is still missing. {Instructions}");
        }
    }

    private static async Task RunAsync(string arguments)
    {
        var start = new ProcessStartInfo("apt-get", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("apt-get could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var tail = string.Join(Environment.NewLine, (await output + await error).Split('\n').TakeLast(15));
            throw new InvalidOperationException($"'apt-get {arguments}' failed with exit code {process.ExitCode} while installing Chromium for the browser tests:{Environment.NewLine}{tail}");
        }
    }
}
