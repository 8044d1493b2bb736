using FunctionsGateway.HostEmulator.Tests.Emulator;
using FunctionsGateway.HostEmulator.Tests.Infrastructure;

namespace FunctionsGateway.HostEmulator.Tests;

/// <summary>
/// The published worker starts under the host's protocol with the app settings infra deploys, and a missing or wrong
/// setting stops it with a message that says what to write.
/// </summary>
[Collection(PublishedWorkerCollection.Name)]
public sealed class WorkerStartupTests(PublishedWorkerFixture worker)
{
    [Fact]
    public void Start_WithInfrasAppSettings_IndexesAndLoadsEveryFunction()
    {
        var functions = worker.Host.Functions.ToDictionary(f => f.Name, f => f.TriggerType);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["Gateway"] = "httpTrigger", ["GatewayStatus"] = "httpTrigger", ["GatewayConsole"] = "httpTrigger",
                ["GatewayConsoleData"] = "httpTrigger", ["HealthProbe"] = "timerTrigger",
            },
            functions);
    }

    [Fact]
    public void Start_WorkerReportsTheHttpUriOfItsAspNetCoreIntegration()
    {
        var httpUri = new Uri(worker.Host.Capabilities["HttpUri"]);

        Assert.Equal("http", httpUri.Scheme);
        Assert.True(httpUri.IsLoopback, $"The worker listens on {httpUri}, not on loopback.");
    }

    [Fact]
    public void InfraAppSettings_EveryOneHasALocalEquivalent_StorageThroughAzurite()
    {
        var names = InfraAppSettings.Names();

        var emulated = InfraAppSettings.ForEmulator("UseDevelopmentStorage=true");

        Assert.Contains("Gateway__Storage__TableEndpoint", names);
        Assert.Contains("HealthProbeSchedule", names);
        Assert.Equal("UseDevelopmentStorage=true", emulated["Gateway__Storage__ConnectionString"]);
        Assert.False(emulated.ContainsKey("Gateway__Storage__TableEndpoint"));
        Assert.Equal("*/30 * * * * *", emulated["HealthProbeSchedule"]);
        Assert.Equal("true", emulated["AzureWebJobsDisableHomepage"]);
    }

    [Fact]
    public async Task Start_WithoutAStorageSetting_FailsNamingTheSettingsToWrite()
    {
        var settings = InfraAppSettings.ForEmulator(worker.AzuriteConnectionString);
        settings.Remove("Gateway__Storage__ConnectionString");

        var (host, failure) = await FunctionsHostEmulator.TryStartAsync(settings);

        Assert.Null(host);
        Assert.Contains("The worker exited with code 1 before connecting", failure);
        Assert.Contains("The settings are not valid:", failure);
        Assert.Contains("Gateway__Storage__ConnectionString", failure);
        Assert.Contains("Gateway__Storage__TableEndpoint", failure);
        Assert.DoesNotContain("Unhandled exception", failure);
    }

    [Fact]
    public async Task Start_WithATableEndpointThatIsNotHttp_FailsSayingWhatToWrite()
    {
        var settings = InfraAppSettings.ForEmulator(worker.AzuriteConnectionString);
        settings.Remove("Gateway__Storage__ConnectionString");
        settings["Gateway__Storage__TableEndpoint"] = "ftp://account.table.core.windows.net/";

        var (host, failure) = await FunctionsHostEmulator.TryStartAsync(settings);

        Assert.Null(host);
        Assert.Contains("Gateway__Storage__TableEndpoint 'ftp://account.table.core.windows.net/' must be an absolute https URL such as https://ACCOUNT.table.core.windows.net/", failure);
    }
}
