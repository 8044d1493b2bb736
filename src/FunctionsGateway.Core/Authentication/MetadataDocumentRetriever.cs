using Microsoft.IdentityModel.Protocols;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Fetches discovery documents and JWKS over the gateway's named <see cref="HttpClient"/>
/// (<see cref="HttpClientName"/>: no redirects, a timeout and a response size cap), refusing
/// plain http unless <see cref="AuthenticationOptions.RequireHttpsMetadata"/> is off. It is only
/// ever given configured addresses and the <c>jwks_uri</c> of a configured discovery document,
/// never an address taken from a token.
/// </summary>
internal sealed class MetadataDocumentRetriever : IDocumentRetriever
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client used for metadata.</summary>
    public const string HttpClientName = "FunctionsGateway.Authentication.Metadata";

    private readonly IHttpClientFactory _clients;
    private readonly bool _requireHttps;

    public MetadataDocumentRetriever(IHttpClientFactory clients, bool requireHttps)
    {
        ArgumentNullException.ThrowIfNull(clients);
        _clients = clients;
        _requireHttps = requireHttps;
    }

    /// <inheritdoc />
    public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri)
            || !(uri.Scheme == Uri.UriSchemeHttps || (!_requireHttps && uri.Scheme == Uri.UriSchemeHttp)))
        {
            throw new InvalidOperationException(
                $"Signing keys are not fetched from '{address}': it is not an {(_requireHttps ? "https" : "http(s)")} URL.");
        }

        using var client = _clients.CreateClient(HttpClientName);
        using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseContentRead, cancel).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"GET {uri.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}.",
                inner: null,
                response.StatusCode);
        }

        return await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
    }
}
