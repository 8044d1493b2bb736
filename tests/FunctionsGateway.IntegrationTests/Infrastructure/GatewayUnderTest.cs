using System.Diagnostics;
using System.Net;
using System.Text.Json;
using FunctionsGateway.DevHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The DevHost's gateway on a free loopback port, over a test's own tables, refreshing every second,
/// with every log entry captured.
/// </summary>
public sealed class GatewayUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayUnderTest(WebApplication app, CapturingLoggerProvider logs)
    {
        _app = app;
        Logs = logs;
        BaseAddress = new Uri(app.Urls.First());
        Client = NewClient();
    }

    /// <summary>A schedule that never comes during a test run (midnight on 1 January): the prober stays idle.</summary>
    public const string NoProbes = "0 0 0 1 1 *";

    /// <summary>Probes every second: how health tests see verdicts within a few seconds.</summary>
    public const string ProbeEverySecond = "* * * * * *";

    public Uri BaseAddress { get; }

    /// <summary>A client for the gateway (no redirects, no cookies, no decompression: it sees what the gateway sent).</summary>
    public HttpClient Client { get; }

    public CapturingLoggerProvider Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="connectionString">Azurite's connection string.</param>
    /// <param name="tables">The test's tables.</param>
    /// <param name="settings">Settings on top of the test defaults.</param>
    /// <param name="services">
    /// Changes to the gateway's services after the DevHost registered them, such as wrapping the API-key lookup
    /// (<see cref="CountingApiKeyLookup.Install"/>).
    /// </param>
    public static async Task<GatewayUnderTest> StartAsync(
        string connectionString, TestTables tables, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var builder = GatewayDevHost.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        var values = new Dictionary<string, string?>
        {
            ["Gateway:Storage:ConnectionString"] = connectionString,
            ["Gateway:Tables:Routes"] = tables.Routes.Name,
            ["Gateway:Tables:Backends"] = tables.Backends.Name,
            ["Gateway:Tables:BackendHealth"] = tables.BackendHealth.Name,
            ["Gateway:Tables:LastValidRows"] = tables.LastValidRows.Name,
            ["Gateway:Configuration:RefreshIntervalSeconds"] = "1",

            // Probes only where a test asks for them (HealthProbeSchedule), so they never add requests a test counts.
            ["HealthProbeSchedule"] = NoProbes,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        services?.Invoke(builder.Services);
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        var app = GatewayDevHost.Build(builder);
        await app.StartAsync();
        return new GatewayUnderTest(app, logs);
    }

    /// <summary>
    /// Creates the test's own tables, lets <paramref name="seed"/> write rows into them, starts the gateway over them
    /// and waits until it has loaded them: how most tests begin.
    /// </summary>
    public static async Task<GatewayUnderTest> StartWithRowsAsync(
        string connectionString, Func<TestTables, Task> seed, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var tables = await TestTables.CreateAsync(connectionString);
        await seed(tables);
        var gateway = await StartAsync(connectionString, tables, settings, services);
        var deadline = Stopwatch.StartNew();
        while ((await gateway.StatusAsync()).GetProperty("status").GetString() == "not_loaded")
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new Xunit.Sdk.XunitException($"The gateway did not load its tables within 15 s: {await gateway.StatusAsync()}");
            }

            await Task.Delay(100);
        }

        return gateway;
    }

    public HttpClient NewClient(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = BaseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };

    /// <summary>The status listing, as JSON (it answers 503 while storage is unreachable, with the same body).</summary>
    public async Task<JsonElement> StatusAsync()
    {
        using var response = await Client.GetAsync("/_gateway/status");
        var json = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    /// <summary>
    /// Sends requests until <paramref name="condition"/> holds for a response, or fails after <paramref name="within"/>:
    /// how a test waits for an operator's edit to reach the running gateway.
    /// </summary>
    public async Task<HttpResponseMessage> WaitForAsync(Func<HttpRequestMessage> request, Func<HttpResponseMessage, bool> condition, TimeSpan? within = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = within ?? TimeSpan.FromSeconds(15);
        HttpResponseMessage? last = null;
        while (deadline.Elapsed < limit)
        {
            last?.Dispose();
            last = await Client.SendAsync(request());
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        var body = last is null ? string.Empty : await last.Content.ReadAsStringAsync();
        throw new Xunit.Sdk.XunitException($"No response met the condition within {limit}; the last was {(int?)last?.StatusCode}: {body}");
    }

    /// <summary>Reads the status listing until <paramref name="condition"/> holds for it, or fails after <paramref name="within"/>; returns it.</summary>
    public async Task<JsonElement> WaitForStatusAsync(Func<JsonElement, bool> condition, TimeSpan? within = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = within ?? TimeSpan.FromSeconds(15);
        var status = await StatusAsync();
        while (!condition(status))
        {
            if (deadline.Elapsed > limit)
            {
                throw new Xunit.Sdk.XunitException($"The status listing did not meet the condition within {limit}: {status}");
            }

            await Task.Delay(100);
            status = await StatusAsync();
        }

        return status;
    }

    /// <summary>Waits until the gateway has loaded the tables with at least <paramref name="routes"/> routes.</summary>
    public async Task WaitForRoutesAsync(int routes)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            var status = await StatusAsync();
            if (status.GetProperty("routes").GetInt32() >= routes)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"The gateway did not load {routes} routes within 15 s: {await StatusAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
