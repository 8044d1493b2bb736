using FunctionsGateway.Routing;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Reports, on the status listing, every route that accepts JWTs while no issuer is configured: every token it
/// receives is refused ("issuer is not trusted"), and without this entry nothing says why.
/// </summary>
internal static class JwtIssuerWarnings
{
    /// <summary>At most this many are listed; the message is the same for all.</summary>
    public const int MaxWarnings = 50;

    /// <summary>One warning per such route (it serves, refusing every token), on its <c>Auth</c> column; none when an issuer is configured.</summary>
    public static IEnumerable<ConfigProblem> Find(IEnumerable<RouteDefinition> routes, bool issuerConfigured) =>
        issuerConfigured
            ? []
            : routes.Where(r => r.Auth.AcceptsJwt)
                .OrderBy(r => r.Id.Table, StringComparer.Ordinal)
                .ThenBy(r => r.Id.PartitionKey, StringComparer.Ordinal)
                .ThenBy(r => r.Id.RowKey, StringComparer.Ordinal)
                .Take(MaxWarnings)
                .Select(r => new ConfigProblem(r.Id, RouteColumns.Auth, ProblemSeverity.Warning, Message(r)));

    private static string Message(RouteDefinition route) =>
        $"is '{route.Auth.ModeName}' but no JWT issuer is configured, so every token is refused as 'issuer is not trusted'"
        + (route.Auth.AcceptsApiKey ? " (API keys still work)" : string.Empty)
        + ". Set Gateway__Authentication__Issuers__0__Authority (with __Audiences__0) to your identity provider "
        + "(docs/auth.md), or set Auth to apikey or anonymous";
}
