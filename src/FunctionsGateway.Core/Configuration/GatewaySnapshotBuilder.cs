using System.Collections.Immutable;
using Azure.Data.Tables;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Builds a <see cref="GatewaySnapshot"/> from the rows of the Routes and Backends tables. Every row is judged
/// on its own: valid rows serve, an invalid row whose earlier version was valid keeps serving that version,
/// and every problem is reported with its table, keys, column and what to do.
/// </summary>
internal static class GatewaySnapshotBuilder
{
    private static readonly string[] AuthColumns =
        [RouteColumns.Auth, RouteColumns.Scopes, RouteColumns.Roles, RouteColumns.ForwardAuthorization, RouteColumns.Audiences,
         RouteColumns.RateLimit, RouteColumns.RateLimitBy, RouteColumns.RateLimitMode, RouteColumns.RateLimitFailure,
         RouteColumns.RateLimitPlans];

    public static GatewaySnapshot Build(
        string routesTable,
        IReadOnlyList<TableEntity> routeRows,
        string backendsTable,
        IReadOnlyList<TableEntity> backendRows,
        GatewaySnapshot previous,
        DateTimeOffset now,
        IReadOnlyList<string>? trustedAudiences = null,
        bool allowLinkLocalBackends = false,
        bool jwtIssuerConfigured = true,
        LastValidCopies? lastValidCopies = null)
    {
        // Invalid rows fall back to the shared copies when they could be read, else to this instance's memory.
        var lastValid = new LastValidVersions(previous, lastValidCopies);
        var problems = ImmutableArray.CreateBuilder<ConfigProblem>();
        var backends = BuildBackends(backendsTable, backendRows, lastValid, problems, allowLinkLocalBackends);
        var pools = backends.Values
            .GroupBy(b => b.Id.PartitionKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new PoolDefinition(g.Key, [.. g.OrderBy(b => b.Id.RowKey, StringComparer.Ordinal)]), StringComparer.Ordinal);
        var routes = BuildRoutes(routesTable, routeRows, lastValid, pools, problems, trustedAudiences, allowLinkLocalBackends);
        foreach (var route in routes.Values)
        {
            if (route.InlinePool is { } inline)
            {
                pools[inline.Name] = inline;
            }
        }

        var matcher = new RouteMatcher(routes.Values.Select(r => r.Route));
        problems.AddRange(RouteProtectionWarnings.Find(matcher));
        problems.AddRange(JwtIssuerWarnings.Find(routes.Values.Select(r => r.Route), jwtIssuerConfigured));
        problems.AddRange(ShadowedRouteWarnings.Find(routes.Values.Select(r => r.Route)));
        lastValidCopies?.RemoveCopiesOfDeletedRows();
        problems.AddRange(lastValidCopies?.Problems ?? []);
        return new GatewaySnapshot(routes, backends, pools, problems.ToImmutable(), now, matcher);
    }

    private static Dictionary<RowId, BackendDefinition> BuildBackends(
        string table, IReadOnlyList<TableEntity> rows, LastValidVersions lastValidVersions, ImmutableArray<ConfigProblem>.Builder problems, bool allowLinkLocal)
    {
        var backends = new Dictionary<RowId, BackendDefinition>();
        foreach (var entity in rows)
        {
            var row = new RowReader(table, entity);
            var backend = BackendRowValidator.Validate(row, entity, allowLinkLocal);
            if (backend is not null)
            {
                backends[row.Row] = backend;
                lastValidVersions.Keep(row.Row, entity);
                problems.AddRange(row.Problems);
                continue;
            }

            var lastValid = lastValidVersions.Backend(row.Row, allowLinkLocal);
            if (lastValid is not null)
            {
                backends[row.Row] = lastValid;
            }

            AddProblems(problems, row, servingLastValid: lastValid is not null);
        }

        return backends;
    }

    private static Dictionary<RowId, ValidatedRoute> BuildRoutes(
        string table,
        IReadOnlyList<TableEntity> rows,
        LastValidVersions lastValidVersions,
        Dictionary<string, PoolDefinition> pools,
        ImmutableArray<ConfigProblem>.Builder problems,
        IReadOnlyList<string>? trustedAudiences,
        bool allowLinkLocal)
    {
        var routes = new Dictionary<RowId, ValidatedRoute>();
        foreach (var entity in rows)
        {
            var row = new RowReader(table, entity);
            var route = RouteRowValidator.Validate(row, trustedAudiences, allowLinkLocal);
            if (route is not null && ResolvesPool(route, pools, row))
            {
                routes[row.Row] = route;
                lastValidVersions.Keep(row.Row, entity);
                problems.AddRange(row.Problems);
                continue;
            }

            // Disabled is a valid version too: a later invalid edit must not bring back the enabled one before it.
            var disabled = route is null && !row.HasErrors;
            if (disabled)
            {
                lastValidVersions.Keep(row.Row, entity);
                problems.AddRange(row.Problems);
                continue;
            }

            // The last valid version serves on only if what it points at still exists, and never for a row that now
            // asks for other protection than it had (different Auth, Scopes, Roles, ForwardAuthorization or Audiences,
            // an auth column misspelt by case, or what this version cannot do, such as RateLimit in any case): serving the
            // earlier version would drop the protection the operator just asked for.
            var lastValid = lastValidVersions.Route(row.Row, trustedAudiences, allowLinkLocal);
            if (row.ColumnsSetInAnyCase(RouteColumns.NotYetSupported).Count > 0)
            {
                lastValid = null;
            }

            if (lastValid is not null && AsksForTheSameAuth(table, entity, lastValid.Route, trustedAudiences) && ResolvesPool(lastValid, pools, report: null))
            {
                routes[row.Row] = lastValid;
            }
            else
            {
                lastValid = null;
            }

            AddProblems(problems, row, servingLastValid: lastValid is not null);
        }

        return routes;
    }

    private static bool AsksForTheSameAuth(string table, TableEntity entity, RouteDefinition lastValid, IReadOnlyList<string>? trustedAudiences)
    {
        // A fresh reader: the row's problems were collected already. Audiences are part of the policy: a changed
        // Audiences column is a change of protection like any other.
        var probe = new RowReader(table, entity);
        var policy = RouteRowValidator.ParseAuth(probe, trustedAudiences);
        var limits = RateLimiting.RateLimitPolicyParser.Parse(probe);
        return !probe.HasErrors && policy.Equals(lastValid.Auth) && RateLimiting.RateLimitPolicy.Same(limits, lastValid.RateLimit)
            && !Array.Exists(AuthColumns, probe.HasMisspeltByCase);
    }

    private static bool ResolvesPool(ValidatedRoute route, Dictionary<string, PoolDefinition> pools, RowReader? report)
    {
        // Only pools of the Backends table can be a fallback: the one-backend pools of Backend columns are not in
        // 'pools' yet, and their names (with '/') cannot be PartitionKeys anyway.
        if (route.Route.FallbackPool is { } fallback && !pools.ContainsKey(fallback))
        {
            report?.Error(RouteColumns.FallbackPool, $"names the pool '{fallback}', which has no valid row in the Backends table; add a Backends row with PartitionKey '{fallback}' or correct the name (pool names are case-sensitive)");
            return false;
        }

        if (route.Route.Target is not PoolTarget target || route.InlinePool is not null)
        {
            return true;
        }

        if (!pools.TryGetValue(target.PoolName, out var pool))
        {
            report?.Error(RouteColumns.Pool, $"names the pool '{target.PoolName}', which has no valid row in the Backends table; add a Backends row with PartitionKey '{target.PoolName}' or correct the name (pool names are case-sensitive)");
            return false;
        }

        if (report is not null && !pool.Backends.Any(b => b.Enabled && b.Weight > 0))
        {
            report.Warning(RouteColumns.Pool, $"names the pool '{target.PoolName}', which has no enabled backend with a Weight above 0; requests to this route get 503 until one is enabled");
        }

        return true;
    }

    private static void AddProblems(ImmutableArray<ConfigProblem>.Builder problems, RowReader row, bool servingLastValid)
    {
        foreach (var problem in row.Problems)
        {
            problems.Add(problem.Severity == ProblemSeverity.Error ? problem with { ServingLastValidVersion = servingLastValid } : problem);
        }
    }
}
