namespace FunctionsGateway.Authentication;

/// <summary>The storage seam for API keys: finds a row by the key's hash.</summary>
internal interface IApiKeyLookup
{
    /// <summary>
    /// Finds the row whose RowKey is <paramref name="keyHash"/>; null when there is none. Storage
    /// failures throw, and the caller answers them as unavailable rather than as an unknown key.
    /// </summary>
    ValueTask<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken);
}
