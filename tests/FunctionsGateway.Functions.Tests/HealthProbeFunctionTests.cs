using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.Health;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsGateway.Functions.Tests;

public class HealthProbeFunctionTests
{
    // Azurite's well-known development account, at a port where nothing listens: no test writes to a storage someone runs.
    private const string UnreachableStorage = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
        + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
        + "TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";

    [Fact]
    public async Task RunAsync_ProbesEveryBackendWithTheSharedProber()
    {
        // Nothing listens on port 1 of loopback (connection refused at once), neither the backend nor storage; the prober
        // logs the storage failure and goes on: this instance still learns the verdict.
        using var services = GatewayWithBackends(new TableEntity("orders", "eu") { ["Url"] = "http://127.0.0.1:1", ["HealthPath"] = "/health" });
        var function = ActivatorUtilities.CreateInstance<HealthProbeFunction>(services);

        await function.RunAsync(new TimerInfo(), CancellationToken.None);

        var state = Assert.Single(services.GetRequiredService<BackendStateRegistry>().States);
        Assert.Equal("orders/eu", state.Id.Key);
        Assert.Equal(1, state.Report?.ConsecutiveFailures);
        Assert.StartsWith("GET /health failed:", state.Report?.LastError, StringComparison.Ordinal);
    }

    private static ServiceProvider GatewayWithBackends(params TableEntity[] backends)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Storage:ConnectionString"] = UnreachableStorage })
            .Build();
        var services = new ServiceCollection().AddLogging().AddGateway(configuration).BuildServiceProvider();
        var snapshot = GatewaySnapshotBuilder.Build("Routes", [], "Backends", backends, GatewaySnapshot.Empty, DateTimeOffset.UnixEpoch);
        services.GetRequiredService<GatewaySnapshotProvider>().Publish(snapshot);
        return services;
    }
}
