using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Storage;

/// <summary>
/// The gateway's table clients, made once from the settings (clients are thread-safe singletons).
/// Storage calls here serve background loaders and so get a short timeout and few retries,
/// not the SDK's 100 s default: a stuck call must not hold the next refresh back.
/// </summary>
public sealed class GatewayTables
{
    private readonly TableServiceClient _service;

    /// <summary>Creates the clients from the validated settings.</summary>
    public GatewayTables(IOptions<GatewayOptions> options)
    {
        var settings = options.Value;
        Names = settings.Tables;
        var clientOptions = new TableClientOptions();
        clientOptions.Retry.MaxRetries = 2;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(settings.Storage.TimeoutSeconds);
        _service = CreateServiceClient(settings.Storage, clientOptions);
    }

    /// <summary>
    /// The one place a storage client is made from the settings: the table endpoint with a managed identity
    /// (<c>DefaultAzureCredential</c>) when set, else the connection string.
    /// </summary>
    public static TableServiceClient CreateServiceClient(StorageOptions storage, TableClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return storage.TableEndpoint is { } endpoint
            ? new TableServiceClient(endpoint, new DefaultAzureCredential(), options)
            : new TableServiceClient(storage.ConnectionString, options);
    }

    /// <summary>The configured table names.</summary>
    public TableNames Names { get; }

    /// <summary>The account the tables live in, for messages.</summary>
    public string AccountName => _service.AccountName;

    /// <summary>The Routes table.</summary>
    public TableClient Routes => _service.GetTableClient(Names.Routes);

    /// <summary>The Backends table.</summary>
    public TableClient Backends => _service.GetTableClient(Names.Backends);

    /// <summary>The ApiKeys table.</summary>
    public TableClient ApiKeys => _service.GetTableClient(Names.ApiKeys);

    /// <summary>The BackendHealth table.</summary>
    public TableClient BackendHealth => _service.GetTableClient(Names.BackendHealth);

    /// <summary>The RateLimits table.</summary>
    public TableClient RateLimits => _service.GetTableClient(Names.RateLimits);

    /// <summary>The LastValidRows table.</summary>
    public TableClient LastValidRows => _service.GetTableClient(Names.LastValidRows);

    /// <summary>Creates every gateway table that does not exist yet (local runs and tests; in Azure, Bicep creates them).</summary>
    public async Task CreateTablesIfNotExistAsync(CancellationToken cancellationToken = default)
    {
        foreach (var name in new[] { Names.Routes, Names.Backends, Names.BackendHealth, Names.ApiKeys, Names.RateLimits, Names.LastValidRows })
        {
            await _service.CreateTableIfNotExistsAsync(name, cancellationToken).ConfigureAwait(false);
        }
    }
}
