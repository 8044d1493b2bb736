using Microsoft.Extensions.Options;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Checks <see cref="AuthenticationOptions"/> at start and reports every problem at once, each
/// naming the setting and saying how to fix it.
/// </summary>
internal sealed class AuthenticationOptionsValidator : IValidateOptions<AuthenticationOptions>
{
    private const string Section = AuthenticationOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(options.ApiKeyHeader) || !IsToken(options.ApiKeyHeader))
        {
            errors.Add($"{Section}:ApiKeyHeader '{options.ApiKeyHeader}' is not a header name; use letters, digits and '-', such as X-Api-Key");
        }
        else if (options.ApiKeyHeader.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
            || options.ApiKeyHeader.StartsWith(IdentityHeaders.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{Section}:ApiKeyHeader '{options.ApiKeyHeader}' is reserved (Authorization carries bearer tokens, {IdentityHeaders.Prefix}* is set by the gateway); use another name, such as X-Api-Key");
        }

        Range(errors, "ApiKeyCacheSeconds", options.ApiKeyCacheSeconds, 1, 3600, "seconds");
        Range(errors, "ApiKeyStaleSeconds", options.ApiKeyStaleSeconds, 0, 86_400, "seconds (0 turns serving a stale key off)");
        Range(errors, "ApiKeyNegativeCacheSeconds", options.ApiKeyNegativeCacheSeconds, 1, 3600, "seconds");
        Range(errors, "ApiKeyCacheSize", options.ApiKeyCacheSize, 1, 1_000_000, "entries");
        Range(errors, "ApiKeyNegativeCacheSize", options.ApiKeyNegativeCacheSize, 1, 1_000_000, "entries");
        Range(errors, "MaxConcurrentApiKeyLookups", options.MaxConcurrentApiKeyLookups, 1, 1024, "lookups");
        Range(errors, "MaxQueuedApiKeyLookups", options.MaxQueuedApiKeyLookups, 0, 100_000, "lookups");
        Range(errors, "MaxFailedAuthPerClient", options.MaxFailedAuthPerClient, 0, 100_000, "failures (0 turns the throttle off)");
        Range(errors, "FailedAuthWindowSeconds", options.FailedAuthWindowSeconds, 1, 3600, "seconds");
        Range(errors, "FailedAuthTrackedClients", options.FailedAuthTrackedClients, 1, 1_000_000, "addresses");
        Range(errors, "MaxTokenBytes", options.MaxTokenBytes, 1024, 256 * 1024, "bytes");
        Range(errors, "ValidatedTokenCacheSeconds", options.ValidatedTokenCacheSeconds, 0, 3600, "seconds");
        Range(errors, "ValidatedTokenCacheSize", options.ValidatedTokenCacheSize, 0, 1_000_000, "tokens");
        Range(errors, "MetadataRefreshMinutes", options.MetadataRefreshMinutes, 1, 1440, "minutes");
        Range(errors, "MinimumMetadataRefreshSeconds", options.MinimumMetadataRefreshSeconds, 1, 3600, "seconds");
        Range(errors, "UnknownKeyRefreshSeconds", options.UnknownKeyRefreshSeconds, 1, 30, "seconds (a token with an unknown kid may wait this long)");
        Range(errors, "MetadataTimeoutSeconds", options.MetadataTimeoutSeconds, 1, 120, "seconds");

        if (string.IsNullOrWhiteSpace(options.Realm) || options.Realm.Any(c => c is < ' ' or > '~' or '"' or '\\'))
        {
            errors.Add($"{Section}:Realm '{options.Realm}' cannot go in a WWW-Authenticate header; use printable ASCII without quotes or backslashes, such as gateway");
        }

        var issuers = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            var issuer = options.Issuers[i];
            if (issuer is null)
            {
                continue;
            }

            ValidateIssuer(errors, $"{Section}:Issuers:{i}", issuer, options.RequireHttpsMetadata);
            if (!string.IsNullOrWhiteSpace(issuer.Issuer) && !issuers.Add(issuer.Issuer.Trim()))
            {
                errors.Add($"{Section}:Issuers:{i}:Issuer '{issuer.Issuer}' is configured twice; keep one entry per issuer and list all its audiences there");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateIssuer(List<string> errors, string path, JwtIssuerOptions issuer, bool requireHttps)
    {
        var sources = new[] { ("Authority", issuer.Authority), ("MetadataAddress", issuer.MetadataAddress), ("JwksUrl", issuer.JwksUrl) }
            .Where(s => !string.IsNullOrWhiteSpace(s.Item2))
            .ToList();
        if (sources.Count == 0)
        {
            errors.Add($"{path} has no key source; set one of Authority (such as https://login.microsoftonline.com/<tenant-id>/v2.0), MetadataAddress or JwksUrl");
        }
        else if (sources.Count > 1)
        {
            errors.Add($"{path} sets {string.Join(" and ", sources.Select(s => s.Item1))}; set exactly one of Authority, MetadataAddress or JwksUrl");
        }

        foreach (var (setting, value) in sources)
        {
            if (!Uri.TryCreate(value!.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                errors.Add($"{path}:{setting} '{value}' is not an absolute http(s) URL; use such as https://login.microsoftonline.com/<tenant-id>/v2.0");
            }
            else if (requireHttps && uri.Scheme != Uri.UriSchemeHttps)
            {
                errors.Add($"{path}:{setting} '{value}' is not https; signing keys must come over https (set {Section}:RequireHttpsMetadata=false only for local tests)");
            }
        }

        if (!string.IsNullOrWhiteSpace(issuer.JwksUrl) && string.IsNullOrWhiteSpace(issuer.Issuer))
        {
            errors.Add($"{path}:Issuer is required with JwksUrl, because a bare JWKS does not name its issuer; set it to the tokens' exact 'iss' value");
        }

        if (issuer.Audiences.Count == 0 || issuer.Audiences.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{path}:Audiences needs at least one non-empty audience (the tokens' 'aud', such as api://orders or the API's client id); set {path}:Audiences:0");
        }

        if (issuer.ClockSkewSeconds is < 0 or > 300)
        {
            errors.Add($"{path}:ClockSkewSeconds {issuer.ClockSkewSeconds} is out of range; use 0 to 300 (RFC 7519 leeway of at most a few minutes; default 60)");
        }

        foreach (var algorithm in issuer.Algorithms)
        {
            if (!JwtIssuerOptions.DefaultAlgorithms.Contains(algorithm, StringComparer.Ordinal))
            {
                var hint = algorithm is not null && (algorithm.StartsWith("HS", StringComparison.OrdinalIgnoreCase) || algorithm.Equals("none", StringComparison.OrdinalIgnoreCase))
                    ? " (symmetric algorithms and 'none' are never accepted: they allow key confusion and unsigned tokens)"
                    : string.Empty;
                errors.Add($"{path}:Algorithms '{algorithm}' is not an accepted algorithm{hint}; use some of {string.Join(", ", JwtIssuerOptions.DefaultAlgorithms)}");
            }
        }

        if (issuer.ConsumerClaims.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{path}:ConsumerClaims has an empty entry; list claim names such as azp, client_id, appid, sub");
        }
    }

    private static void Range(List<string> errors, string setting, int value, int min, int max, string unit)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Section}:{setting} {value} is out of range; use {min} to {max} {unit}");
        }
    }

    // RFC 9110 §5.6.2 token characters, which is what a header name may contain.
    private static bool IsToken(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));
}
