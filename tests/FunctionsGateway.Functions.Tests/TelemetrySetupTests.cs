using FunctionsGateway.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FunctionsGateway.Functions.Tests;

public class TelemetrySetupTests
{
    [Fact]
    public void AddGatewayTelemetry_ListensToTheGatewaysActivitySourceAndMeter()
    {
        using var services = Build(new Dictionary<string, string?>());
        services.GetRequiredService<TracerProvider>();
        services.GetRequiredService<MeterProvider>();

        using var activity = GatewayTelemetry.ActivitySource.StartActivity("probe");

        Assert.NotNull(activity);
        Assert.True(GatewayTelemetry.ActivitySource.HasListeners());
    }

    [Fact]
    public void AddGatewayTelemetry_WithAnApplicationInsightsConnectionString_BuildsTheExporter()
    {
        using var services = Build(new Dictionary<string, string?>
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/",
        });

        var tracer = services.GetRequiredService<TracerProvider>();

        Assert.NotNull(tracer);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddGatewayTelemetry(configuration).BuildServiceProvider();
    }
}
