using FunctionsGateway.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Forwarding;

/// <summary>Registers the per-instance state of retries and circuit breakers (docs/architecture.md, Retries and circuit breakers).</summary>
internal static class ResilienceServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayResilience(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => LinkToBackendStates(
            ActivatorUtilities.CreateInstance<BackendCircuitBreakers>(sp),
            sp.GetRequiredService<BackendStateRegistry>(),
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Forwarding.CircuitBreaker.BreakDurationSeconds)));
        services.TryAddSingleton<IRetryBackendSource>(sp => new PolicyRetryBackendSource(
            sp.GetRequiredService<BackendSelectionPolicy>(), sp.GetRequiredService<BackendCircuitBreakers>()));
        services.TryAddSingleton<RetryBudgets>();
        services.TryAddSingleton<RetryDecider>();
        return services;
    }

    /// <summary>
    /// An open breaker keeps its backend out of selection for its break (<see cref="BackendState.OpenCircuitFor"/>); after
    /// that the backend is chosen again, and Polly lets the first attempt through as the half-open trial.
    /// </summary>
    internal static BackendCircuitBreakers LinkToBackendStates(BackendCircuitBreakers breakers, BackendStateRegistry states, TimeSpan breakDuration)
    {
        breakers.OnOpened = id => states.Find(id)?.OpenCircuitFor(breakDuration);
        breakers.OnClosed = id => states.Find(id)?.SetCircuitOpen(false);
        return breakers;
    }
}
