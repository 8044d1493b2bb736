using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using FunctionsGateway.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FunctionsGateway.Functions;

/// <summary>
/// Sends the worker's traces, metrics and logs (the gateway's <c>FunctionsGateway</c> sources among them) to
/// Application Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set. Application Insights has local
/// auth disabled, so the exporter signs in with the app's managed identity (<c>AZURE_CLIENT_ID</c>).
/// </summary>
internal static class TelemetrySetup
{
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var openTelemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            // System.Net.Http: each backend attempt's HTTP call, under the attempt's span (docs/observability.md, Traces).
            .WithTracing(tracing => tracing.AddSource(GatewayTelemetry.Name, "System.Net.Http"))
            .WithMetrics(metrics => metrics.AddMeter(GatewayTelemetry.Name));
        if (!string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
        {
            openTelemetry.UseAzureMonitorExporter(exporter => exporter.Credential = new DefaultAzureCredential());
        }

        return services;
    }
}
