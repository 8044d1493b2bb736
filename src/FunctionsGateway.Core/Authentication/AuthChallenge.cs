using System.Text;
using Microsoft.Extensions.Primitives;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Builds the <c>WWW-Authenticate</c> values for a 401, 400 or 403 answer (RFC 6750 §3 for
/// <c>Bearer</c>; an <c>ApiKey</c> challenge naming the header for key routes). One challenge per
/// method the route accepts; the method whose credential failed carries the error. Descriptions
/// are the fixed texts of <see cref="AuthResult.Description"/>, never token or key content.
/// </summary>
internal static class AuthChallenge
{
    /// <summary>The <c>Bearer</c> scheme.</summary>
    public const string BearerScheme = "Bearer";

    /// <summary>The <c>ApiKey</c> scheme.</summary>
    public const string ApiKeyScheme = "ApiKey";

    /// <summary>
    /// Returns the challenges for <paramref name="result"/>; empty when it succeeded, when the
    /// credentials could not be checked (503) or were not examined (429): those carry no challenge.
    /// </summary>
    /// <param name="result">The authentication result.</param>
    /// <param name="policy">The route's policy, which says which methods to offer.</param>
    /// <param name="realm">The realm (<see cref="AuthenticationOptions.Realm"/>).</param>
    /// <param name="apiKeyHeader">The API-key header (<see cref="AuthenticationOptions.ApiKeyHeader"/>).</param>
    public static StringValues Build(AuthResult result, AuthPolicy policy, string realm, string apiKeyHeader)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(policy);
        if (result.Outcome is AuthOutcome.Succeeded or AuthOutcome.Unavailable or AuthOutcome.Throttled)
        {
            return StringValues.Empty;
        }

        var failed = result.Outcome is AuthOutcome.Failed or AuthOutcome.Forbidden ? result.Method : AuthMethod.Anonymous;
        var challenges = new List<string>(2);
        if (policy.AcceptsJwt)
        {
            challenges.Add(Challenge(BearerScheme, realm, headerName: null, failed == AuthMethod.Jwt ? result : null));
        }

        if (policy.AcceptsApiKey)
        {
            challenges.Add(Challenge(ApiKeyScheme, realm, apiKeyHeader, failed == AuthMethod.ApiKey ? result : null));
        }

        return challenges.Count switch
        {
            0 => StringValues.Empty,
            1 => new StringValues(challenges[0]),
            _ => new StringValues([.. challenges]),
        };
    }

    private static string Challenge(string scheme, string realm, string? headerName, AuthResult? failure)
    {
        var value = new StringBuilder(scheme).Append(" realm=").Append(Quote(realm));
        if (headerName is not null)
        {
            value.Append(", header=").Append(Quote(headerName));
        }

        if (failure?.ErrorCode is { } error)
        {
            value.Append(", error=").Append(Quote(error));
            value.Append(", error_description=").Append(Quote(failure.Description));
            if (failure.Outcome == AuthOutcome.Forbidden && !failure.RequiredScopes.IsDefaultOrEmpty)
            {
                value.Append(", scope=").Append(Quote(string.Join(' ', failure.RequiredScopes)));
            }
        }

        return value.ToString();
    }

    // RFC 9110 §5.6.4 quoted-string. Every value here is already validated to be quote-free;
    // escaping anyway keeps the header well-formed whatever a future caller passes.
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
