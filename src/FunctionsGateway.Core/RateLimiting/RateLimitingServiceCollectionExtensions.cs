using Azure.Core;
using Azure.Data.Tables;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.RateLimiting;

/// <summary>Registers rate limiting; the gateway's <c>AddGateway</c> calls it.</summary>
internal static class RateLimitingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GatewayRateLimiter"/> as a singleton over the <c>RateLimits</c> table (named by
    /// <c>Gateway:Tables:RateLimits</c>) behind <see cref="ResilientCounterStore"/>, each call counted in
    /// <see cref="RateLimitStoreOperations"/>, and binds <see cref="RateLimitingOptions"/> from
    /// <c>Gateway:RateLimiting</c>, validated at start. The table client makes no retry of its own and gives up on a
    /// call after 2 s, so the limiter's timeout and circuit breaker decide. An
    /// <see cref="IRateLimitCounterStore"/> registered before this call is kept.
    /// </summary>
    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RateLimitingOptions>()
            .Bind(configuration.GetSection(RateLimitingOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitingOptions>, RateLimitingOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RateLimitStoreOperations>();
        services.TryAddSingleton<IRateLimitCounterStore>(provider =>
        {
            var settings = provider.GetRequiredService<IOptions<GatewayOptions>>().Value;
            var clientOptions = new TableClientOptions();
            clientOptions.Retry.MaxRetries = 0;
            clientOptions.Retry.Mode = RetryMode.Fixed;
            clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(2);
            var table = GatewayTables.CreateServiceClient(settings.Storage, clientOptions).GetTableClient(settings.Tables.RateLimits);
            var metered = new MeteredCounterStore(new RateLimitStore(table), provider.GetRequiredService<RateLimitStoreOperations>());
            return new ResilientCounterStore(
                metered,
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<IOptions<RateLimitingOptions>>().Value);
        });
        services.TryAddSingleton<GatewayRateLimiter>();
        return services;
    }
}
