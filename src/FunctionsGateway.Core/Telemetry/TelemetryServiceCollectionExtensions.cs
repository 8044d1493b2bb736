using FunctionsGateway.Forwarding;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Telemetry;

/// <summary>Registers the access log; the gateway's <c>AddGateway</c> calls it.</summary>
internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AccessLogOptions"/> from <c>Gateway:AccessLog</c> (validated at start) and registers the
    /// <see cref="AccessLog"/> the request handler queues to and the <see cref="AccessLogWriter"/> that writes it.
    /// </summary>
    public static IServiceCollection AddGatewayAccessLog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AccessLogOptions>().Bind(configuration.GetSection(AccessLogOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccessLogOptions>, AccessLogOptionsValidator>());
        services.TryAddSingleton<IRandomSource, SharedRandomSource>();
        services.TryAddSingleton<AccessLog>();
        services.AddHostedService<AccessLogWriter>();
        return services;
    }
}
