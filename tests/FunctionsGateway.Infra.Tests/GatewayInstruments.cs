using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using FunctionsGateway.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsGateway.Infra.Tests;

/// <summary>
/// The names of every instrument the gateway creates on its <c>FunctionsGateway</c> meter, found the way an exporter finds
/// them: a <see cref="MeterListener"/> hears each one published while the gateway's own service collection
/// (<c>AddGateway</c>, as both hosts call it) builds every service it registers.
/// </summary>
internal static class GatewayInstruments
{
    private static readonly Lazy<IReadOnlySet<string>> LazyNames = new(Collect);

    public static IReadOnlySet<string> Names => LazyNames.Value;

    private static HashSet<string> Collect()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == GatewayTelemetry.Name)
                {
                    lock (names)
                    {
                        names.Add(instrument.Name);
                    }
                }
            },
        };
        listener.Start();

        RuntimeHelpers.RunClassConstructor(typeof(GatewayTelemetry).TypeHandle);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Storage:ConnectionString"] = "UseDevelopmentStorage=true" })
            .Build();
        var services = new ServiceCollection().AddLogging().AddMetrics().AddGateway(configuration);
        using var provider = services.BuildServiceProvider();
        foreach (var serviceType in services.Select(d => d.ServiceType).Where(t => !t.IsGenericTypeDefinition).Distinct())
        {
            _ = provider.GetServices(serviceType).ToList();
        }

        lock (names)
        {
            return [.. names];
        }
    }
}
