using Azure;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.DevHost.Local;

/// <summary>
/// Creates the gateway's missing tables in local storage (a connection string, such as Azurite) on start, as
/// <c>azd provision</c> does in Azure, so a fresh emulator serves instead of answering 503 until tables appear.
/// Tables behind a managed identity (<c>Gateway__Storage__TableEndpoint</c>) are left alone: there, provisioning owns them.
/// </summary>
public static class LocalTables
{
    /// <summary>Creates the Routes, Backends, ApiKeys, BackendHealth, RateLimits and LastValidRows tables named by the settings when missing; true when it did.</summary>
    public static async Task<bool> CreateMissingAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.GetRequiredService<IOptions<GatewayOptions>>().Value.Storage.TableEndpoint is not null)
        {
            return false;
        }

        var tables = services.GetRequiredService<GatewayTables>();
        try
        {
            await tables.CreateTablesIfNotExistAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or IOException)
        {
            // The gateway starts anyway and answers 503 configuration_not_loaded until storage can be read.
            await Console.Error.WriteLineAsync($"Could not create the gateway's tables in local storage ({StorageErrorText.Describe(ex)}); requests get 503 until the tables can be read.").ConfigureAwait(false);
            return false;
        }
    }
}
