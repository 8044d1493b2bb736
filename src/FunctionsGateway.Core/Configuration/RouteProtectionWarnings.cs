using FunctionsGateway.Authentication;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Warns, on the status listing, about a less protected route that sits under a more protected one: requests
/// whose path the protected route matches but which its <c>Methods</c>, <c>Hosts</c> or <c>MatchHeaders</c>
/// turn away would reach the weaker route, so the matcher refuses them instead (405 or 404). The operator
/// learns which requests are refused and why, before a client finds out.
/// </summary>
internal static class RouteProtectionWarnings
{
    /// <summary>At most this many such warnings are listed, so a large table cannot flood the listing and the log.</summary>
    public const int MaxWarnings = 50;

    /// <summary>One warning per pair, on the weaker route's <c>Auth</c> column, ordered by row.</summary>
    public static IEnumerable<ConfigProblem> Find(RouteMatcher matcher) =>
        matcher.FindWeakerFallThroughs(MaxWarnings).Select(pair => new ConfigProblem(
            pair.Weaker.Id, RouteColumns.Auth, ProblemSeverity.Warning, Message(pair.Weaker, pair.Stronger)));

    private static string Message(RouteDefinition weaker, RouteDefinition stronger) =>
        $"is less protected than {stronger.Id} (Path '{stronger.Path}', {Describe(stronger.Auth)}), whose path matches the same requests "
        + $"and comes first: {Differences(weaker.Auth, stronger.Auth)}. Requests that route turns away for its Methods, Hosts or MatchHeaders "
        + $"are refused (405 or 404) rather than forwarded here. To serve them here, give this route at least {Describe(stronger.Auth)}; "
        + "to serve them there, widen that route's Methods, Hosts or MatchHeaders; if refusing them is intended, nothing needs to change";

    private static string Describe(AuthPolicy policy)
    {
        var text = $"Auth {policy.ModeName}";
        if (!policy.RequiredScopes.IsDefaultOrEmpty)
        {
            text += $", Scopes {string.Join(',', policy.RequiredScopes)}";
        }

        if (!policy.RequiredRoles.IsDefaultOrEmpty)
        {
            text += $", Roles {string.Join(',', policy.RequiredRoles)}";
        }

        return text;
    }

    // One phrase per clause of AuthPolicy.IsAtLeastAsStrictAs that fails.
    private static string Differences(AuthPolicy weaker, AuthPolicy stronger)
    {
        var differences = new List<string>();
        if (!new AuthPolicy { Mode = weaker.Mode }.IsAtLeastAsStrictAs(new AuthPolicy { Mode = stronger.Mode }))
        {
            differences.Add($"Auth {weaker.ModeName} lets in callers that Auth {stronger.ModeName} refuses");
        }

        var scopes = stronger.RequiredScopes.Except(weaker.RequiredScopes, StringComparer.Ordinal).ToList();
        if (scopes.Count > 0)
        {
            differences.Add($"it does not require the Scopes {string.Join(',', scopes)}");
        }

        var roles = stronger.RequiredRoles.Except(weaker.RequiredRoles, StringComparer.Ordinal).ToList();
        if (roles.Count > 0)
        {
            differences.Add($"it does not require the Roles {string.Join(',', roles)}");
        }

        return string.Join("; ", differences);
    }
}
