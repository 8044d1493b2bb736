namespace FunctionsGateway.Storage;

/// <summary>
/// Where the gateway's tables live. Set exactly one of <see cref="ConnectionString"/> (local runs,
/// Azurite: <c>UseDevelopmentStorage=true</c>) or <see cref="TableEndpoint"/> (Azure, managed identity, no keys).
/// </summary>
public sealed class StorageOptions
{
    /// <summary>A storage connection string. The default value is null.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The table endpoint, such as <c>https://account.table.core.windows.net/</c>, reached with
    /// <c>DefaultAzureCredential</c> (set <c>AZURE_CLIENT_ID</c> for a user-assigned identity). The default value is null.
    /// </summary>
    public Uri? TableEndpoint { get; set; }

    /// <summary>
    /// How long one storage call of the background loaders may take before it is abandoned
    /// (the SDK's own default is 100 s). The default value is 5 seconds.
    /// </summary>
    public int TimeoutSeconds { get; set; } = 5;
}
