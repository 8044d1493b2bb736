using System.Net.Http.Headers;

namespace FunctionsGateway.Authentication;

/// <summary>
/// The headers that tell a backend who called, and the rules that make them trustworthy: every
/// client-sent <c>X-Gateway-*</c> header is removed before the gateway sets its own, the API key
/// is never forwarded, and <c>Authorization</c> is forwarded only where the route's policy says so.
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
    /// Prepares the outgoing request's headers in a safe order: strip client identity headers,
    /// strip the API key, strip <c>Authorization</c> unless the policy forwards it, then set the
    /// gateway's identity headers.
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

        RemoveClientHeaders(request);
        RemoveCredentials(request, apiKeyHeader, policy.ForwardAuthorization);
        Set(request, identity);
    }

    /// <summary>Removes every header whose name starts with <c>X-Gateway-</c>, in any case.</summary>
    public static void RemoveClientHeaders(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RemoveGatewayHeaders(request.Headers);
        if (request.Content is not null)
        {
            RemoveGatewayHeaders(request.Content.Headers);
        }
    }

    /// <summary>Removes the API key always, and <c>Authorization</c> unless <paramref name="forwardAuthorization"/>.</summary>
    public static void RemoveCredentials(HttpRequestMessage request, string apiKeyHeader, bool forwardAuthorization)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(apiKeyHeader);
        request.Headers.Remove(apiKeyHeader);
        request.Content?.Headers.Remove(apiKeyHeader);
        if (!forwardAuthorization)
        {
            request.Headers.Remove("Authorization");
        }
    }

    /// <summary>
    /// Sets the identity headers from <paramref name="identity"/>. Call <see cref="RemoveClientHeaders"/>
    /// first. Values that are not printable ASCII are sent percent-encoded (UTF-8), because HTTP
    /// header values cannot carry them safely.
    /// </summary>
    public static void Set(HttpRequestMessage request, GatewayIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(identity);
        var headers = request.Headers;
        headers.Remove(AuthMethod);
        headers.TryAddWithoutValidation(AuthMethod, MethodName(identity.Method));
        SetIfPresent(headers, Consumer, identity.Consumer);
        SetIfPresent(headers, Subject, identity.Subject);
        SetIfPresent(headers, Plan, identity.Plan);
        SetIfPresent(headers, Issuer, identity.Issuer);
        SetIfPresent(headers, Scopes, identity.Scopes.IsDefaultOrEmpty ? null : string.Join(' ', identity.Scopes));
    }

    /// <summary>The value sent in <see cref="AuthMethod"/>.</summary>
    public static string MethodName(Authentication.AuthMethod method) => method switch
    {
        Authentication.AuthMethod.ApiKey => "apikey",
        Authentication.AuthMethod.Jwt => "jwt",
        _ => "anonymous",
    };

    private static void RemoveGatewayHeaders(HttpHeaders headers)
    {
        List<string>? names = null;
        foreach (var header in headers.NonValidated)
        {
            if (header.Key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                (names ??= []).Add(header.Key);
            }
        }

        if (names is not null)
        {
            foreach (var name in names)
            {
                headers.Remove(name);
            }
        }
    }

    private static void SetIfPresent(HttpRequestHeaders headers, string name, string? value)
    {
        headers.Remove(name);
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
