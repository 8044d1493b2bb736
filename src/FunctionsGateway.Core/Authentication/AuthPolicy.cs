using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Authentication;

/// <summary>
/// A route's authentication policy, built from the route row's <c>Auth</c>, <c>Scopes</c>,
/// <c>Roles</c>, <c>ForwardAuthorization</c> and <c>Audiences</c> columns (docs/auth.md).
/// </summary>
public sealed record AuthPolicy
{
    /// <summary>Column names on a route row.</summary>
    internal const string AuthColumn = "Auth";

    /// <inheritdoc cref="AuthColumn" />
    internal const string ScopesColumn = "Scopes";

    /// <inheritdoc cref="AuthColumn" />
    internal const string RolesColumn = "Roles";

    /// <inheritdoc cref="AuthColumn" />
    internal const string ForwardAuthorizationColumn = "ForwardAuthorization";

    /// <inheritdoc cref="AuthColumn" />
    internal const string AudiencesColumn = "Audiences";

    private const string AcceptedModes = "use anonymous, apikey, jwt or jwt|apikey";

    /// <summary>The policy of a route without an <c>Auth</c> column.</summary>
    public static AuthPolicy Anonymous { get; } = new() { Mode = AuthMode.Anonymous };

    /// <summary>The credentials the route accepts. The default value is <see cref="AuthMode.Anonymous"/>.</summary>
    public AuthMode Mode { get; init; }

    /// <summary>Scopes the caller must all hold; empty when the route requires none.</summary>
    public ImmutableArray<string> RequiredScopes { get; init; } = [];

    /// <summary>Roles (the JWT <c>roles</c> claim) the caller must all hold; empty when the route requires none.</summary>
    public ImmutableArray<string> RequiredRoles { get; init; } = [];

    /// <summary>
    /// Whether the client's <c>Authorization</c> header is sent on to the backend. The default value
    /// is true for <c>jwt</c> and <c>jwt|apikey</c> (the header is then the token the gateway has
    /// just validated) and false for <c>anonymous</c> and <c>apikey</c> (the gateway never checked it).
    /// On <c>jwt|apikey</c> even true forwards it only to callers authenticated by that token
    /// (<see cref="IdentityHeaders.ForwardsAuthorization"/>).
    /// </summary>
    public bool ForwardAuthorization { get; init; }

    /// <summary>
    /// Audiences of which a JWT caller's <c>aud</c> must hold at least one, on top of the issuer's own audience
    /// check, so one API's token is not accepted by another API's routes; empty when the route narrows nothing.
    /// API-key callers are not affected.
    /// </summary>
    public ImmutableArray<string> Audiences { get; init; } = [];

    /// <summary>Whether a bearer JWT is accepted.</summary>
    public bool AcceptsJwt => Mode is AuthMode.Jwt or AuthMode.JwtOrApiKey;

    /// <summary>Whether an API key is accepted.</summary>
    public bool AcceptsApiKey => Mode is AuthMode.ApiKey or AuthMode.JwtOrApiKey;

    /// <summary>The <c>Auth</c> column's spelling of <see cref="Mode"/>.</summary>
    public string ModeName => FormatMode(Mode);

    /// <summary>
    /// Builds a policy from the four route columns. Empty or missing columns take their defaults.
    /// </summary>
    /// <param name="auth">The <c>Auth</c> column: <c>anonymous</c>, <c>apikey</c>, <c>jwt</c> or <c>jwt|apikey</c>.</param>
    /// <param name="scopes">The <c>Scopes</c> column: comma-separated scopes, all required.</param>
    /// <param name="roles">The <c>Roles</c> column: comma-separated roles, all required (JWT only).</param>
    /// <param name="forwardAuthorization">The <c>ForwardAuthorization</c> column: <c>true</c> or <c>false</c>.</param>
    /// <param name="policy">The policy, or <see cref="Anonymous"/> when the columns are invalid.</param>
    /// <param name="column">The name of the first invalid column, or an empty string.</param>
    /// <param name="error">What is wrong and how to fix it, or an empty string.</param>
    /// <returns>Whether the columns make a valid policy.</returns>
    public static bool TryParse(
        string? auth,
        string? scopes,
        string? roles,
        string? forwardAuthorization,
        out AuthPolicy policy,
        out string column,
        out string error) =>
        TryParse(auth, scopes, roles, forwardAuthorization, audiences: null, out policy, out column, out error);

    /// <summary>
    /// Builds a policy from the five route columns. Empty or missing columns take their defaults.
    /// </summary>
    /// <param name="auth">The <c>Auth</c> column: <c>anonymous</c>, <c>apikey</c>, <c>jwt</c> or <c>jwt|apikey</c>.</param>
    /// <param name="scopes">The <c>Scopes</c> column: comma-separated scopes, all required.</param>
    /// <param name="roles">The <c>Roles</c> column: comma-separated roles, all required (JWT only).</param>
    /// <param name="forwardAuthorization">The <c>ForwardAuthorization</c> column: <c>true</c> or <c>false</c>.</param>
    /// <param name="audiences">The <c>Audiences</c> column: comma-separated audiences, one required (JWT only).</param>
    /// <param name="policy">The policy, or <see cref="Anonymous"/> when the columns are invalid.</param>
    /// <param name="column">The name of the first invalid column, or an empty string.</param>
    /// <param name="error">What is wrong and how to fix it, or an empty string.</param>
    /// <returns>Whether the columns make a valid policy.</returns>
    public static bool TryParse(
        string? auth,
        string? scopes,
        string? roles,
        string? forwardAuthorization,
        string? audiences,
        out AuthPolicy policy,
        out string column,
        out string error)
    {
        policy = Anonymous;

        if (!TryParseMode(auth, out var mode))
        {
            column = AuthColumn;
            error = $"'{auth!.Trim()}' is not an auth method; {AcceptedModes}";
            return false;
        }

        if (!TryParseScopes(scopes, out var requiredScopes, out error))
        {
            column = ScopesColumn;
            return false;
        }

        if (!TryParseList(roles, "role", "Orders.Admin,Orders.Audit", out var requiredRoles, out error))
        {
            column = RolesColumn;
            return false;
        }

        if (mode == AuthMode.Anonymous && !requiredScopes.IsEmpty)
        {
            column = ScopesColumn;
            error = $"Scopes '{scopes!.Trim()}' need an authenticated caller but Auth is anonymous; set Auth to apikey, jwt or jwt|apikey, or leave Scopes empty";
            return false;
        }

        if (mode != AuthMode.Jwt && !requiredRoles.IsEmpty)
        {
            column = RolesColumn;
            error = mode == AuthMode.Anonymous
                ? $"Roles '{roles!.Trim()}' need a JWT caller but Auth is anonymous; set Auth to jwt, or leave Roles empty"
                : $"Roles '{roles!.Trim()}' come from the JWT 'roles' claim and API keys carry none, so Auth {FormatMode(mode)} would refuse every API-key caller; set Auth to jwt, or leave Roles empty";
            return false;
        }

        if (!TryParseList(audiences, "audience", "api://orders,https://api.contoso.com/orders", out var requiredAudiences, out error))
        {
            column = AudiencesColumn;
            return false;
        }

        if (mode is not (AuthMode.Jwt or AuthMode.JwtOrApiKey) && !requiredAudiences.IsEmpty)
        {
            column = AudiencesColumn;
            error = $"Audiences '{audiences!.Trim()}' narrow which tokens are accepted but Auth {FormatMode(mode)} accepts no token; set Auth to jwt or jwt|apikey, or leave Audiences empty";
            return false;
        }

        var forward = mode is AuthMode.Jwt or AuthMode.JwtOrApiKey;
        if (!string.IsNullOrWhiteSpace(forwardAuthorization) && !bool.TryParse(forwardAuthorization.Trim(), out forward))
        {
            column = ForwardAuthorizationColumn;
            error = $"'{forwardAuthorization.Trim()}' is not a boolean; use true or false (empty means {(mode is AuthMode.Jwt or AuthMode.JwtOrApiKey ? "true" : "false")} for Auth {FormatMode(mode)})";
            return false;
        }

        policy = new AuthPolicy
        {
            Mode = mode,
            RequiredScopes = requiredScopes,
            RequiredRoles = requiredRoles,
            ForwardAuthorization = forward,
            Audiences = requiredAudiences,
        };
        column = string.Empty;
        error = string.Empty;
        return true;
    }

    /// <summary>
    /// Whether this policy protects at least as much as <paramref name="other"/>: every caller this policy lets
    /// through would also pass <paramref name="other"/>. The route matcher lets a request that a more specific
    /// route turned away (for its method, host or headers) fall through only to a route whose policy is at
    /// least as strict as that route's; anything else would hand the request to weaker protection.
    /// </summary>
    /// <remarks>
    /// Each clause compares one kind of protection, and a caller must pass all of them, so the policy is at least
    /// as strict only when it is so in every clause: the credentials it accepts are a subset of
    /// <paramref name="other"/>'s (anonymous accepts any caller; <c>jwt|apikey</c> accepts a JWT or an API key;
    /// <c>jwt</c> and <c>apikey</c> cannot be compared, so neither is at least as strict as the other), and its
    /// required scopes and roles include all of <paramref name="other"/>'s, and it accepts no token audience that
    /// <paramref name="other"/>'s <see cref="Audiences"/> refuse. A new kind of protection adds one
    /// clause. <see cref="ForwardAuthorization"/> says what the backend receives, not who may call, so it is
    /// not compared.
    /// </remarks>
    /// <param name="other">The policy to compare with.</param>
    /// <returns>True when this policy is the same as or stricter than <paramref name="other"/>.</returns>
    public bool IsAtLeastAsStrictAs(AuthPolicy other)
    {
        ArgumentNullException.ThrowIfNull(other);

        return (AcceptedCredentials(Mode) & ~AcceptedCredentials(other.Mode)) == 0
            && IncludesAll(RequiredScopes, other.RequiredScopes)
            && IncludesAll(RequiredRoles, other.RequiredRoles)
            && AcceptsOnlyAudiencesOf(other);
    }

    /// <inheritdoc />
    public bool Equals(AuthPolicy? other) =>
        other is not null
        && Mode == other.Mode
        && ForwardAuthorization == other.ForwardAuthorization
        && RequiredScopes.SequenceEqual(other.RequiredScopes)
        && RequiredRoles.SequenceEqual(other.RequiredRoles)
        && Audiences.SequenceEqual(other.Audiences);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(Mode, ForwardAuthorization, RequiredScopes.Length, RequiredRoles.Length, Audiences.Length);

    // No audience is accepted here that the other refuses: an empty list accepts every audience the issuers accept.
    private bool AcceptsOnlyAudiencesOf(AuthPolicy other) =>
        other.Audiences.IsDefaultOrEmpty || (!Audiences.IsDefaultOrEmpty && IncludesAll(other.Audiences, Audiences));

    // The kinds of caller a mode lets through, as bits: no credential (1), a JWT (2), an API key (4).
    private static int AcceptedCredentials(AuthMode mode) => mode switch
    {
        AuthMode.ApiKey => 4,
        AuthMode.Jwt => 2,
        AuthMode.JwtOrApiKey => 2 | 4,
        _ => 1 | 2 | 4,
    };

    // Scopes and roles are compared as the authenticator compares them: ordinal. Loops, not LINQ: the matcher calls
    // this on the request path when a request falls through.
    private static bool IncludesAll(ImmutableArray<string> items, ImmutableArray<string> required)
    {
        if (required.IsDefaultOrEmpty)
        {
            return true;
        }

        foreach (var wanted in required)
        {
            if (items.IsDefaultOrEmpty || items.IndexOf(wanted, 0, items.Length, StringComparer.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }

    private static string FormatMode(AuthMode mode) => mode switch
    {
        AuthMode.ApiKey => "apikey",
        AuthMode.Jwt => "jwt",
        AuthMode.JwtOrApiKey => "jwt|apikey",
        _ => "anonymous",
    };

    private static bool TryParseMode(string? value, out AuthMode mode)
    {
        mode = AuthMode.Anonymous;
        if (string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        // Methods are matched without regard to case or spaces around '|', and in either order.
        var parts = value.Split('|', StringSplitOptions.TrimEntries);
        var jwt = false;
        var apiKey = false;
        var anonymous = false;
        foreach (var part in parts)
        {
            if (part.Equals("jwt", StringComparison.OrdinalIgnoreCase) && !jwt)
            {
                jwt = true;
            }
            else if (part.Equals("apikey", StringComparison.OrdinalIgnoreCase) && !apiKey)
            {
                apiKey = true;
            }
            else if (part.Equals("anonymous", StringComparison.OrdinalIgnoreCase) && parts.Length == 1)
            {
                anonymous = true;
            }
            else
            {
                return false;
            }
        }

        mode = (anonymous, jwt, apiKey) switch
        {
            (_, true, true) => AuthMode.JwtOrApiKey,
            (_, true, false) => AuthMode.Jwt,
            (_, false, true) => AuthMode.ApiKey,
            _ => AuthMode.Anonymous,
        };
        return true;
    }

    /// <summary>
    /// Parses a comma-separated scope list as the <c>Scopes</c> column of a route or an API key is read:
    /// <see cref="CommaList"/>'s rule, every item a scope token, duplicates dropped.
    /// </summary>
    internal static bool TryParseScopes(string? value, out ImmutableArray<string> scopes, out string error) =>
        TryParseList(value, "scope", "orders.read,orders.write", out scopes, out error);

    private static bool TryParseList(
        string? value,
        string kind,
        string example,
        out ImmutableArray<string> items,
        out string error)
    {
        items = [];
        if (!CommaList.TryParse(value, kind, example, out var parts, out error))
        {
            return false;
        }

        var builder = ImmutableArray.CreateBuilder<string>(parts.Length);
        foreach (var item in parts)
        {
            if (!IsScopeToken(item))
            {
                var article = kind[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an" : "a";
                error = $"'{item}' is not {article} {kind}: {article} {kind} is printable ASCII without spaces, quotes or backslashes; separate {kind}s with commas, such as {example}";
                return false;
            }

            if (!builder.Contains(item))
            {
                builder.Add(item);
            }
        }

        items = builder.ToImmutable();
        return true;
    }

    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). Holding roles to the same
    // rule keeps both safe inside the quoted WWW-Authenticate 'scope' parameter and in logs.
    internal static bool IsScopeToken([NotNullWhen(true)] string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '\x21' or > '\x7e' or '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }
}
