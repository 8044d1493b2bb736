namespace FunctionsGateway.Authentication;

/// <summary>The kind of answer authentication gives; see <see cref="AuthResult"/>.</summary>
internal enum AuthOutcome
{
    /// <summary>The caller is authenticated and holds what the route requires.</summary>
    Succeeded,

    /// <summary>The route needs credentials and none were presented: 401 without an error code.</summary>
    NoCredentials,

    /// <summary>Credentials were presented and rejected: 401 (400 for a malformed request).</summary>
    Failed,

    /// <summary>The caller is authenticated but lacks a required scope or role: 403.</summary>
    Forbidden,

    /// <summary>The credentials could not be checked (key store or signing keys unreachable, lookup queue full): 503.</summary>
    Unavailable,

    /// <summary>
    /// The caller's address failed authentication too often and the credential is not one the gateway already
    /// holds in memory, so it was not examined: 429 (see <see cref="FailedAuthThrottle"/>).
    /// </summary>
    Throttled,
}
