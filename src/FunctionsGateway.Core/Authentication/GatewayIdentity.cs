using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FunctionsGateway.Authentication;

/// <summary>
/// The authenticated consumer of a request: what rate limiting, routing (canary stickiness),
/// logging and the identity headers sent to backends use. It never holds a key; for a JWT
/// caller it keeps the validated token only to answer <see cref="TryGetClaim"/>.
/// </summary>
internal sealed class GatewayIdentity
{
    private readonly JsonWebToken? _token;

    private GatewayIdentity(
        AuthMethod method,
        string? consumer,
        string? subject,
        string? plan,
        string? issuer,
        ImmutableArray<string> scopes,
        ImmutableArray<string> roles,
        ImmutableArray<string> audiences,
        JsonWebToken? token)
    {
        Method = method;
        Consumer = consumer;
        Subject = subject;
        Plan = plan;
        Issuer = issuer;
        Scopes = scopes;
        Roles = roles;
        Audiences = audiences;
        _token = token;
    }

    /// <summary>The identity of every request on an <c>anonymous</c> route.</summary>
    public static GatewayIdentity Anonymous { get; } =
        new(AuthMethod.Anonymous, consumer: null, subject: null, plan: null, issuer: null, [], [], [], token: null);

    /// <summary>How the caller was authenticated.</summary>
    public AuthMethod Method { get; }

    /// <summary>
    /// The consumer id: the API key row's <c>Consumer</c>, or for a JWT the first consumer claim
    /// present (by default <c>azp</c>, <c>client_id</c>, <c>appid</c>, then <c>sub</c>).
    /// Null only for <see cref="Anonymous"/>.
    /// </summary>
    public string? Consumer { get; }

    /// <summary>
    /// For a JWT the <c>sub</c> claim; for an API key the first 12 hex characters of the key's
    /// hash, which tell an operator which of a consumer's keys was used without revealing it.
    /// </summary>
    public string? Subject { get; }

    /// <summary>
    /// The caller's plan, which selects its limits on routes with <c>RateLimitPlans</c>: the API key row's <c>Plan</c>,
    /// or for a JWT the claim named by <c>Gateway__RateLimiting__PlanClaim</c> when that is set and holds a valid
    /// plan name (<see cref="PlanName"/>); null otherwise and for anonymous callers.
    /// </summary>
    public string? Plan { get; }

    /// <summary>
    /// The key a route limited by consumer counts this caller by, <c>consumer:ID</c>; null for anonymous callers. Made
    /// on first use and kept, since the identity is cached with its key or token.
    /// </summary>
    public string? RateLimitKey => Consumer is null ? null : field ??= "consumer:" + Consumer;

    /// <summary>The validated issuer of a JWT; null otherwise.</summary>
    public string? Issuer { get; }

    /// <summary>Granted scopes: the JWT's <c>scp</c>/<c>scope</c> claim, or the API key row's <c>Scopes</c>.</summary>
    public ImmutableArray<string> Scopes { get; }

    /// <summary>
    /// <see cref="Scopes"/> space-separated, as the <c>X-Gateway-Scopes</c> header sends them; null when there are none.
    /// Made on first use and kept, since the identity is cached with its key or token.
    /// </summary>
    public string? ScopesText => Scopes.IsDefaultOrEmpty ? null : field ??= string.Join(' ', Scopes);

    /// <summary>Granted roles: the JWT's <c>roles</c> claim; API keys carry none.</summary>
    public ImmutableArray<string> Roles { get; }

    /// <summary>The validated token's <c>aud</c> values, for routes that narrow the audiences; empty for other callers.</summary>
    public ImmutableArray<string> Audiences { get; }

    /// <summary>Whether the caller presented a credential that was checked.</summary>
    public bool IsAuthenticated => Method != AuthMethod.Anonymous;

    /// <summary>An identity from a validated JWT.</summary>
    public static GatewayIdentity FromJwt(
        JsonWebToken token,
        string consumer,
        string issuer,
        ImmutableArray<string> scopes,
        ImmutableArray<string> roles,
        string? plan = null)
    {
        ArgumentNullException.ThrowIfNull(token);
        var subject = token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Sub, out var sub) ? sub : null;
        return new GatewayIdentity(AuthMethod.Jwt, consumer, subject, plan, issuer, scopes, roles, [.. token.Audiences], token);
    }

    /// <summary>An identity from an accepted API key.</summary>
    public static GatewayIdentity FromApiKey(string consumer, string keyHash, string? plan, ImmutableArray<string> scopes)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumer);
        ArgumentException.ThrowIfNullOrEmpty(keyHash);
        return new GatewayIdentity(
            AuthMethod.ApiKey,
            consumer,
            ApiKeyHasher.Prefix(keyHash),
            plan,
            issuer: null,
            scopes,
            roles: [],
            audiences: [],
            token: null);
    }

    /// <summary>
    /// Reads a claim of a JWT caller, for policies such as rate limiting by <c>claim:tid</c>.
    /// Strings, numbers and booleans are returned as invariant text; arrays, objects and every
    /// claim of an API-key or anonymous caller are not found.
    /// </summary>
    /// <param name="name">The claim name, matched case-sensitively as in the token.</param>
    /// <param name="value">The claim's value when found.</param>
    /// <returns>Whether the claim was found.</returns>
    public bool TryGetClaim(string name, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (_token is null || string.IsNullOrEmpty(name))
        {
            return false;
        }

        if (!_token.TryGetPayloadValue<object>(name, out var raw))
        {
            return false;
        }

        value = raw switch
        {
            string text => text,
            bool flag => flag ? "true" : "false",
            int or long or double or decimal => Convert.ToString(raw, CultureInfo.InvariantCulture),
            _ => null,
        };

        return value is not null;
    }

    /// <summary>A summary safe for logs: the method and consumer, never claims or credentials.</summary>
    public override string ToString() => $"{Method} {Consumer ?? "(anonymous)"}";
}
