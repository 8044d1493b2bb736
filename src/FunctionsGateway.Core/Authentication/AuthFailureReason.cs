namespace FunctionsGateway.Authentication;

/// <summary>
/// Why authentication did not succeed, for logs and metrics. Clients see only the safe
/// <see cref="AuthResult.Description"/>; in particular every rejected API key has the same reason.
/// </summary>
internal enum AuthFailureReason
{
    /// <summary>Nothing failed.</summary>
    None,

    /// <summary>More than one <c>Authorization</c> or API-key header.</summary>
    InvalidRequest,

    /// <summary>The token is longer than <see cref="AuthenticationOptions.MaxTokenBytes"/>.</summary>
    TokenTooLarge,

    /// <summary>The token is not a well-formed signed JWT (JWS compact serialization).</summary>
    TokenMalformed,

    /// <summary>The token's <c>alg</c> is not in the issuer's allow-list (this includes <c>none</c> and HS*).</summary>
    AlgorithmNotAllowed,

    /// <summary>The token's <c>iss</c> is not a configured issuer.</summary>
    IssuerNotTrusted,

    /// <summary>The token's <c>kid</c> is not among the issuer's keys, even after a refresh.</summary>
    SigningKeyUnknown,

    /// <summary>The signature does not verify.</summary>
    SignatureInvalid,

    /// <summary>The token's audience is not accepted.</summary>
    AudienceInvalid,

    /// <summary>The token has expired (<c>exp</c> plus clock skew is past).</summary>
    TokenExpired,

    /// <summary>The token is not valid yet (<c>nbf</c> minus clock skew is in the future).</summary>
    TokenNotYetValid,

    /// <summary>The token has no <c>exp</c>.</summary>
    TokenWithoutExpiry,

    /// <summary>The token is invalid for another reason.</summary>
    TokenInvalid,

    /// <summary>The token has none of the configured consumer claims.</summary>
    ConsumerMissing,

    /// <summary>The API key is unknown, disabled, expired, malformed or its row is invalid (logged precisely).</summary>
    ApiKeyInvalid,

    /// <summary>A required scope is missing.</summary>
    InsufficientScope,

    /// <summary>A required role is missing.</summary>
    InsufficientRole,

    /// <summary>The issuer's signing keys have never been fetched and the key endpoint is unreachable.</summary>
    SigningKeysUnavailable,

    /// <summary>The API-key store could not be read.</summary>
    KeyStoreUnavailable,

    /// <summary>
    /// The token's <c>kid</c> is not among the cached keys and too many requests already wait for the issuer's
    /// next key fetch (<see cref="SigningKeySource.MaxUnknownKeyWaiters"/>), so it was not checked.
    /// </summary>
    SigningKeyLookupBusy,

    /// <summary>
    /// The key needed a storage lookup and <see cref="AuthenticationOptions.MaxQueuedApiKeyLookups"/> lookups
    /// were already waiting for one.
    /// </summary>
    KeyLookupQueueFull,

    /// <summary>The caller's address is throttled after too many failed attempts (<see cref="FailedAuthThrottle"/>).</summary>
    TooManyFailedAttempts,
}
