using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Health;

/// <summary>Registers backend state, health-aware selection, the <c>BackendHealth</c> row reader and the prober the hosts' timers run.</summary>
internal static class HealthServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayHealth(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<BackendStateRegistry>();
        services.TryAddSingleton<IRandomSource, SharedRandomSource>();
        services.TryAddSingleton<BackendSelectionPolicy>();
        services.TryAddSingleton<IBackendHealthStore, TableBackendHealthStore>();
        services.TryAddSingleton<BackendHealthReader>();
        services.AddHostedService(sp => sp.GetRequiredService<BackendHealthReader>());
        services.TryAddSingleton(sp => new HealthProber(
            sp.GetRequiredService<GatewaySnapshotProvider>(),
            sp.GetRequiredService<IBackendHealthStore>(),
            sp.GetRequiredService<BackendStateRegistry>(),
            sp.GetRequiredService<BackendInvoker>().Invoker,
            sp.GetRequiredService<IOptions<GatewayOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<HealthProber>>()));
        return services;
    }
}
