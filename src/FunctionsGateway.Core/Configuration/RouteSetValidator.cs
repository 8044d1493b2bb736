using System.Collections.Immutable;
using FunctionsGateway.Authentication;
using FunctionsGateway.Storage;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Checks a route set exactly as a gateway checks the tables when it loads them: the same snapshot build
/// (<see cref="GatewaySnapshotBuilder"/>), so each row's problems, routes naming a missing pool, shadowed and weaker
/// routes and <c>jwt</c> routes without an issuer are reported with the gateway's own messages. Like a gateway that
/// starts, it has no earlier version of any row to fall back on.
/// </summary>
internal static class RouteSetValidator
{
    public static ImmutableArray<ConfigProblem> Validate(
        IReadOnlyList<RouteSetRow> rows, TableNames tables, GatewayOptions gateway, AuthenticationOptions authentication, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(authentication);
        var snapshot = GatewaySnapshotBuilder.Build(
            tables.Routes,
            [.. rows.Where(r => r.Table == RouteSetTable.Routes).Select(r => r.ToEntity())],
            tables.Backends,
            [.. rows.Where(r => r.Table == RouteSetTable.Backends).Select(r => r.ToEntity())],
            GatewaySnapshot.Empty,
            now,
            TrustedAudiences(authentication),
            gateway.Forwarding.AllowLinkLocalBackends,
            jwtIssuerConfigured: authentication.Issuers.Count > 0);
        return snapshot.Problems;
    }

    /// <summary>The audiences the configured issuers accept: what a route's <c>Audiences</c> may name.</summary>
    public static IReadOnlyList<string> TrustedAudiences(AuthenticationOptions authentication) =>
        [.. authentication.Issuers.SelectMany(issuer => issuer.Audiences).Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim())];
}
