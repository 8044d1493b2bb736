using System.Net.Http.Headers;
using FunctionsGateway.Forwarding;

namespace FunctionsGateway.Authentication;

/// <summary>
/// The headers that tell a backend who called, and the rules that make them trustworthy: every
/// client-sent <c>X-Gateway-*</c> header (also spelt with <c>_</c>) is removed before the gateway sets
/// its own, the API key is never forwarded, and <c>Authorization</c> is forwarded only when it is the
/// token the gateway validated for this request, or on a route that passes it through unchecked on purpose.
/// These methods work on the outgoing <see cref="HttpRequestMessage"/> that the forwarder builds.
/// </summary>
internal static class IdentityHeaders
{
    /// <summary>The prefix reserved for headers the gateway sets.</summary>
    public const string Prefix = "X-Gateway-";

    /// <summary>The consumer id (<see cref="GatewayIdentity.Consumer"/>); absent for anonymous callers.</summary>
    public const string Consumer = "X-Gateway-Consumer";

    /// <summary>The JWT <c>sub</c>, or an API key's hash prefix; absent when unknown.</summary>
    public const string Subject = "X-Gateway-Subject";

    /// <summary>How the caller authenticated: <c>anonymous</c>, <c>apikey</c> or <c>jwt</c>; always set.</summary>
    public const string AuthMethod = "X-Gateway-Auth-Method";

    /// <summary>The API key's plan; absent when none.</summary>
    public const string Plan = "X-Gateway-Plan";

    /// <summary>The granted scopes, space-separated; absent when none.</summary>
    public const string Scopes = "X-Gateway-Scopes";

    /// <summary>The JWT's validated issuer; absent for other callers.</summary>
    public const string Issuer = "X-Gateway-Issuer";

    /// <summary>
    /// Prepares the outgoing request's headers in a safe order: strip the client's reserved headers
    /// (<see cref="RemoveClientHeaders"/>), strip <c>Authorization</c> unless <see cref="ForwardsAuthorization"/>,
    /// then set the gateway's identity headers.
    /// </summary>
    /// <param name="request">The request about to be sent to the backend.</param>
    /// <param name="identity">The authenticated caller.</param>
    /// <param name="policy">The route's policy.</param>
    /// <param name="apiKeyHeader">The configured API-key header (<see cref="AuthenticationOptions.ApiKeyHeader"/>).</param>
    public static void Apply(HttpRequestMessage request, GatewayIdentity identity, AuthPolicy policy, string apiKeyHeader)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentException.ThrowIfNullOrEmpty(apiKeyHeader);

        RemoveClientHeaders(request, apiKeyHeader);
        if (!ForwardsAuthorization(policy, identity))
        {
            request.Headers.Remove("Authorization");
        }

        // Every X-Gateway-* header is gone already, so none needs removing before it is set.
        SetHeaders(request.Headers, identity, removeFirst: false);
    }

    /// <summary>
    /// Whether the client's <c>Authorization</c> header goes to the backend. On a route that accepts JWTs the
    /// header is the credential the gateway checks, so it goes only when the route forwards it and this request
    /// was authenticated by the bearer token in it: on a <c>jwt|apikey</c> route a caller authenticated by API key
    /// cannot slip a <c>Basic</c> header, a <c>Bearer&lt;TAB&gt;</c> one or a forged token past the gateway. On
    /// <c>anonymous</c> and <c>apikey</c> routes the gateway never reads the header; it goes only where the route
    /// sets <c>ForwardAuthorization=true</c>, as an unchecked pass-through for a backend that checks it itself.
    /// </summary>
    public static bool ForwardsAuthorization(AuthPolicy policy, GatewayIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(identity);
        return policy.ForwardAuthorization && (!policy.AcceptsJwt || identity.Method == Authentication.AuthMethod.Jwt);
    }

    /// <summary>
    /// Removes every client header a backend could take for one the gateway vouches for: names starting with
    /// <c>X-Gateway-</c> and the API-key header, in any case and with <c>_</c> in place of any <c>-</c>
    /// (<c>X_Gateway_Consumer</c>, <c>x_api_key</c>), because CGI-style frameworks (WSGI, Rack, PHP) read
    /// <c>X-Gateway-Consumer</c> and <c>X_Gateway_Consumer</c> as the same <c>HTTP_X_GATEWAY_CONSUMER</c>.
    /// Both header collections are scanned once; nothing is allocated when there is nothing to remove.
    /// </summary>
    public static void RemoveClientHeaders(HttpRequestMessage request, string apiKeyHeader)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(apiKeyHeader);
        RemoveReserved(request.Headers, apiKeyHeader);
        if (request.Content is not null)
        {
            RemoveReserved(request.Content.Headers, apiKeyHeader);
        }
    }

    /// <summary>
    /// Whether a client header named <paramref name="name"/> is removed: it reads as <c>X-Gateway-*</c> or as
    /// <paramref name="apiKeyHeader"/> once case is ignored and <c>_</c> is taken for <c>-</c>.
    /// </summary>
    public static bool IsReserved(ReadOnlySpan<char> name, ReadOnlySpan<char> apiKeyHeader) =>
        (name.Length >= Prefix.Length && HeaderNameSpelling.Same(name[..Prefix.Length], Prefix))
        || HeaderNameSpelling.Same(name, apiKeyHeader);

    /// <summary>
    /// Sets the identity headers from <paramref name="identity"/>. Call <see cref="RemoveClientHeaders"/>
    /// first. Values that are not printable ASCII are sent percent-encoded (UTF-8), because HTTP
    /// header values cannot carry them safely.
    /// </summary>
    public static void Set(HttpRequestMessage request, GatewayIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(identity);
        SetHeaders(request.Headers, identity, removeFirst: true);
    }

    /// <summary>The value sent in <see cref="AuthMethod"/>.</summary>
    public static string MethodName(Authentication.AuthMethod method) => method switch
    {
        Authentication.AuthMethod.ApiKey => "apikey",
        Authentication.AuthMethod.Jwt => "jwt",
        _ => "anonymous",
    };

    private static void RemoveReserved(HttpHeaders headers, string apiKeyHeader) =>
        HeaderRemoval.RemoveWhere(headers, apiKeyHeader, static (name, apiKey) => IsReserved(name, apiKey));

    private static void SetHeaders(HttpRequestHeaders headers, GatewayIdentity identity, bool removeFirst)
    {
        if (removeFirst)
        {
            headers.Remove(AuthMethod);
        }

        headers.TryAddWithoutValidation(AuthMethod, MethodName(identity.Method));
        SetIfPresent(headers, Consumer, identity.Consumer, removeFirst);
        SetIfPresent(headers, Subject, identity.Subject, removeFirst);
        SetIfPresent(headers, Plan, identity.Plan, removeFirst);
        SetIfPresent(headers, Issuer, identity.Issuer, removeFirst);
        SetIfPresent(headers, Scopes, identity.ScopesText, removeFirst);
    }

    private static void SetIfPresent(HttpRequestHeaders headers, string name, string? value, bool removeFirst)
    {
        if (removeFirst)
        {
            headers.Remove(name);
        }

        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        headers.TryAddWithoutValidation(name, IsPrintableAscii(value) ? value : Uri.EscapeDataString(value));
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
