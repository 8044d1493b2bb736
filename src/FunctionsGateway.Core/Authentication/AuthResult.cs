using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace FunctionsGateway.Authentication;

/// <summary>
/// The answer of authentication: a value for every expected outcome, never an exception.
/// <see cref="StatusCode"/> and <see cref="ErrorCode"/> say how to answer the client and
/// <see cref="AuthChallenge"/> builds the <c>WWW-Authenticate</c> header (docs/auth.md).
/// </summary>
internal sealed class AuthResult
{
    private static readonly AuthResult NoCredentialsResult =
        new(AuthOutcome.NoCredentials, AuthFailureReason.None, AuthMethod.Anonymous, "Authentication is required", identity: null, []);

    private const string ThrottledDescription =
        "Too many failed authentication attempts from this address; retry after the time in Retry-After";

    private AuthResult(
        AuthOutcome outcome,
        AuthFailureReason reason,
        AuthMethod method,
        string description,
        GatewayIdentity? identity,
        ImmutableArray<string> requiredScopes,
        int? retryAfterSeconds = null)
    {
        Outcome = outcome;
        Reason = reason;
        Method = method;
        Description = description;
        Identity = identity;
        RequiredScopes = requiredScopes;
        RetryAfterSeconds = retryAfterSeconds;
    }

    /// <summary>What happened.</summary>
    public AuthOutcome Outcome { get; }

    /// <summary>Why it did not succeed, for logs and metrics; <see cref="AuthFailureReason.None"/> on success.</summary>
    public AuthFailureReason Reason { get; }

    /// <summary>
    /// The credential the answer is about: the one that succeeded, failed or lacked a scope;
    /// <see cref="AuthMethod.Anonymous"/> when none was presented.
    /// </summary>
    public AuthMethod Method { get; }

    /// <summary>
    /// A description safe to send to the client (RFC 6750 <c>error_description</c> and the problem
    /// <c>detail</c>): fixed text that never echoes the token, the key or whether a key exists.
    /// </summary>
    public string Description { get; }

    /// <summary>The caller, when <see cref="Outcome"/> is <see cref="AuthOutcome.Succeeded"/> or <see cref="AuthOutcome.Forbidden"/>.</summary>
    public GatewayIdentity? Identity { get; }

    /// <summary>For <see cref="AuthOutcome.Forbidden"/>, the scopes the route requires (the challenge's <c>scope</c>).</summary>
    public ImmutableArray<string> RequiredScopes { get; }

    /// <summary>
    /// For <see cref="AuthOutcome.Unavailable"/> and <see cref="AuthOutcome.Throttled"/>, the whole seconds after
    /// which trying again makes sense (the <c>Retry-After</c> header); null otherwise.
    /// </summary>
    public int? RetryAfterSeconds { get; }

    /// <summary>Whether the request may proceed.</summary>
    [MemberNotNullWhen(true, nameof(Identity))]
    public bool Succeeded => Outcome == AuthOutcome.Succeeded;

    /// <summary>
    /// The HTTP status to answer with when the request may not proceed: 401 for no or rejected
    /// credentials, 400 for a malformed request (RFC 6750 <c>invalid_request</c>), 403 for a
    /// missing scope or role, 429 for a throttled address, 503 when credentials could not be checked; 200 on
    /// success.
    /// </summary>
    public int StatusCode => Outcome switch
    {
        AuthOutcome.Succeeded => 200,
        AuthOutcome.Forbidden => 403,
        AuthOutcome.Unavailable => 503,
        AuthOutcome.Throttled => 429,
        AuthOutcome.Failed when Reason == AuthFailureReason.InvalidRequest => 400,
        _ => 401,
    };

    /// <summary>
    /// The challenge's error code: <c>invalid_request</c>, <c>invalid_token</c> (RFC 6750),
    /// <c>invalid_key</c> (a rejected API key), <c>insufficient_scope</c> or <c>too_many_failed_attempts</c> (a
    /// throttled address, never sent in a challenge); null for success, no credentials and unavailability.
    /// Pipelines can use it as the problem body's stable <c>code</c>.
    /// </summary>
    public string? ErrorCode => Outcome switch
    {
        AuthOutcome.Throttled => "too_many_failed_attempts",
        AuthOutcome.Failed when Reason == AuthFailureReason.InvalidRequest => "invalid_request",
        AuthOutcome.Failed when Method == AuthMethod.ApiKey => "invalid_key",
        AuthOutcome.Failed => "invalid_token",
        AuthOutcome.Forbidden => "insufficient_scope",
        _ => null,
    };

    /// <summary>The request may proceed as <paramref name="identity"/>.</summary>
    public static AuthResult Success(GatewayIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return new(AuthOutcome.Succeeded, AuthFailureReason.None, identity.Method, string.Empty, identity, []);
    }

    /// <summary>The route needs credentials and the request has none.</summary>
    public static AuthResult NoCredentials() => NoCredentialsResult;

    /// <summary>The credential of kind <paramref name="method"/> was rejected.</summary>
    public static AuthResult Failed(AuthMethod method, AuthFailureReason reason, string description) =>
        new(AuthOutcome.Failed, reason, method, description, identity: null, []);

    /// <summary>The caller is authenticated but lacks a required scope or role.</summary>
    public static AuthResult Forbidden(
        GatewayIdentity identity,
        AuthFailureReason reason,
        string description,
        ImmutableArray<string> requiredScopes)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return new(AuthOutcome.Forbidden, reason, identity.Method, description, identity, requiredScopes);
    }

    /// <summary>The credential of kind <paramref name="method"/> could not be checked.</summary>
    public static AuthResult Unavailable(AuthMethod method, AuthFailureReason reason, string description) =>
        new(AuthOutcome.Unavailable, reason, method, description, identity: null, []);

    /// <summary>The credential of kind <paramref name="method"/> could not be checked; trying again after <paramref name="retryAfter"/> may work.</summary>
    public static AuthResult Unavailable(AuthMethod method, AuthFailureReason reason, string description, TimeSpan retryAfter) =>
        new(AuthOutcome.Unavailable, reason, method, description, identity: null, [], WholeSeconds(retryAfter));

    /// <summary>
    /// The caller's address is throttled (<see cref="FailedAuthThrottle"/>) and the credential of kind
    /// <paramref name="method"/> was not examined; the address may try again after <paramref name="retryAfter"/>.
    /// </summary>
    public static AuthResult Throttled(AuthMethod method, TimeSpan retryAfter) =>
        new(AuthOutcome.Throttled, AuthFailureReason.TooManyFailedAttempts, method, ThrottledDescription, identity: null, [], WholeSeconds(retryAfter));

    // Retry-After takes whole seconds (RFC 9110 §10.2.3); rounding up never invites a retry that is still too early.
    private static int WholeSeconds(TimeSpan delay) => Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));

    /// <summary>A summary safe for logs.</summary>
    public override string ToString() =>
        Outcome == AuthOutcome.Succeeded ? $"Succeeded {Identity}" : $"{Outcome} {Method} {Reason}";
}
