using Azure.Data.Tables;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Configuration;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Opens the <c>ApiKeys</c> table from configuration: <c>Gateway:Storage:ConnectionString</c>
/// (<c>UseDevelopmentStorage=true</c> locally), else <c>Gateway:Storage:TableEndpoint</c> with
/// <c>DefaultAzureCredential</c>; the table name is <c>Gateway:Tables:ApiKeys</c> (default <c>ApiKeys</c>).
/// </summary>
public static class ApiKeyTable
{
    /// <summary>The default table name.</summary>
    public const string DefaultName = "ApiKeys";

    /// <summary>Creates a client for the configured table (no request is sent).</summary>
    /// <exception cref="InvalidOperationException">Neither a connection string nor a table endpoint is configured.</exception>
    public static TableClient Create(IConfiguration configuration, TableClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var settings = configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        if (string.IsNullOrWhiteSpace(settings.Storage.ConnectionString) && settings.Storage.TableEndpoint is null)
        {
            throw new InvalidOperationException(
                "No storage is configured for API keys; set Gateway:Storage:ConnectionString (UseDevelopmentStorage=true with Azurite) "
                + "or Gateway:Storage:TableEndpoint (https://<account>.table.core.windows.net with a managed identity).");
        }

        var name = string.IsNullOrWhiteSpace(settings.Tables.ApiKeys) ? DefaultName : settings.Tables.ApiKeys;
        return GatewayTables.CreateServiceClient(settings.Storage, options).GetTableClient(name);
    }
}
