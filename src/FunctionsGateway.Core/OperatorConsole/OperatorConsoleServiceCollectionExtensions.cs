using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FunctionsGateway.OperatorConsole;

/// <summary>Registers the operator console and the live traffic numbers it shows.</summary>
internal static class OperatorConsoleServiceCollectionExtensions
{
    public static IServiceCollection AddGatewayConsole(this IServiceCollection services)
    {
        services.TryAddSingleton<LiveTraffic>();
        services.TryAddSingleton<ConsoleDataWriter>();
        services.TryAddSingleton(sp => new GatewayConsole(sp.GetRequiredService<ConsoleDataWriter>()));
        return services;
    }
}
