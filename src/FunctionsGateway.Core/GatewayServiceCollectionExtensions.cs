using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Pipeline;
using FunctionsGateway.RateLimiting;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway;

/// <summary>Registers the gateway; both hosts call <see cref="AddGateway"/> and nothing else of Core's set-up.</summary>
public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the whole gateway: settings from the <c>Gateway</c> section (validated at start), the background
    /// route loader, the forwarder and the request handler. Hosts then send every request to
    /// <see cref="GatewayRequestHandler.HandleAsync"/> and serve <see cref="GatewayStatusWriter"/> behind their own protection.
    /// </summary>
    public static IServiceCollection AddGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpForwarder();
        services.AddGatewayAuthentication(configuration);
        services.AddGatewayRateLimiting();

        services.TryAddSingleton<GatewayTables>();
        services.TryAddSingleton<GatewaySnapshotProvider>();
        services.TryAddSingleton<GatewayConfigRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayConfigRefresher>());
        services.TryAddSingleton<BackendInvoker>();
        services.TryAddSingleton<GatewayTransformer>();
        services.TryAddSingleton(sp => new GatewayRequestHandler(
            sp.GetRequiredService<GatewaySnapshotProvider>(),
            sp.GetRequiredService<IHttpForwarder>(),
            sp.GetRequiredService<BackendInvoker>(),
            sp.GetRequiredService<GatewayTransformer>(),
            sp.GetRequiredService<GatewayAuthenticator>(),
            sp.GetRequiredService<IOptions<GatewayOptions>>(),
            sp.GetRequiredService<IOptions<AuthenticationOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new GatewayStatusWriter(
            sp.GetRequiredService<GatewaySnapshotProvider>(),
            sp.GetRequiredService<GatewayConfigRefresher>()));
        return services;
    }
}
