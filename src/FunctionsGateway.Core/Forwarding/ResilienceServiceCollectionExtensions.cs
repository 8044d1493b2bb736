using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsGateway.Forwarding;

/// <summary>Registers the per-instance state of retries and circuit breakers (docs/architecture.md, Retries and circuit breakers).</summary>
internal static class ResilienceServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayResilience(this IServiceCollection services)
    {
        services.TryAddSingleton<BackendCircuitBreakers>();
        services.TryAddSingleton<IRetryBackendSource>(sp => new StaticRetryBackendSource(sp.GetRequiredService<BackendCircuitBreakers>()));
        services.TryAddSingleton<RetryBudgets>();
        services.TryAddSingleton<RetryDecider>();
        return services;
    }
}
