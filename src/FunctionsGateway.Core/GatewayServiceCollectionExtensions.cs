using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Health;
using FunctionsGateway.OperatorConsole;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.RateLimiting;
using FunctionsGateway.Storage;
using FunctionsGateway.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
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
        services.AddGatewayRateLimiting(configuration);
        services.AddGatewayAccessLog(configuration);

        services.TryAddSingleton<GatewayTables>();
        services.TryAddSingleton<GatewaySnapshotProvider>();
        services.TryAddSingleton<LastValidRowStore>();
        services.TryAddSingleton<GatewayConfigRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<GatewayConfigRefresher>());
        services.TryAddSingleton<BackendInvoker>();
        services.AddGatewayHealth();
        services.TryAddSingleton<GatewayTransformer>();
        services.AddGatewayResilience();
        services.AddGatewayConsole();
        // The request's path: GatewayRequestHandler runs these steps in this order until one ends the request.
        // A new step is one class and one line here, in its place.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayStep, CheckPathStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayStep, MatchRouteStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayStep, AuthenticateStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayStep, RateLimitStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayStep, FaultInjectionStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayStep, StaticResponseStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayStep, SelectBackendStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGatewayStep, ForwardStep>());
        services.TryAddSingleton(sp => new GatewayRequestHandler(
            sp.GetRequiredService<GatewaySnapshotProvider>(),
            sp.GetServices<IGatewayStep>(),
            sp.GetRequiredService<IOptions<GatewayOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<AccessLog>(),
            sp.GetRequiredService<OperatorConsole.LiveTraffic>()));
        services.TryAddSingleton(sp => new GatewayStatusWriter(
            sp.GetRequiredService<GatewaySnapshotProvider>(),
            sp.GetRequiredService<GatewayConfigRefresher>(),
            sp.GetRequiredService<RateLimitStoreOperations>(),
            sp.GetRequiredService<Health.BackendStateRegistry>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
