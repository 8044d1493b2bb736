using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// How the whole tables become what the gateway serves: every row judged on its own, valid rows served,
/// invalid rows reported, and an invalid new version of a row replaced by its last valid version.
/// </summary>
public sealed class GatewaySnapshotBuilderTests
{
    private static readonly DateTimeOffset FirstLoad = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset SecondLoad = FirstLoad.AddSeconds(10);

    [Fact]
    public void Build_ValidRoutesAndBackends_ServesThemWithoutProblems()
    {
        TableEntity[] routes = [Route("orders", "/orders/{id}", pool: "orders"), Route("health", "/ping", backend: "https://ping.internal")];
        TableEntity[] backends = [Backend("orders", "eu-1", "https://orders-eu.internal"), Backend("orders", "us-1", "https://orders-us.internal")];

        var snapshot = Build(routes, backends);

        Assert.Empty(snapshot.Problems);
        Assert.Equal(2, snapshot.RoutesById.Count);
        Assert.Equal(FirstLoad, snapshot.LoadedAt);
        var pool = snapshot.Pools["orders"];
        Assert.Equal(["eu-1", "us-1"], pool.Backends.Select(b => b.Id.RowKey));
        Assert.NotNull(snapshot.Matcher.Match("GET", "api.contoso.com", "/orders/42", new Microsoft.AspNetCore.Http.HeaderDictionary()).Route);
    }

    [Fact]
    public void Build_BackendShorthand_CreatesAOneBackendPoolNamedAfterTheRoute()
    {
        TableEntity[] routes = [Route("orders", "/orders", backend: "https://orders.internal/api")];

        var snapshot = Build(routes, []);

        Assert.Empty(snapshot.Problems);
        var route = snapshot.RoutesById[RouteId("orders")].Route;
        var target = Assert.IsType<PoolTarget>(route.Target);
        Assert.Equal("route/public/orders", target.PoolName);
        var backend = Assert.Single(snapshot.Pools[target.PoolName].Backends);
        Assert.Equal(new Uri("https://orders.internal/api"), backend.Url);
    }

    [Fact]
    public void Build_InvalidRow_IsNotServedAndIsReported()
    {
        TableEntity[] routes = [Route("orders", "orders", backend: "https://orders.internal")];

        var snapshot = Build(routes, []);

        Assert.Empty(snapshot.RoutesById);
        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal(RouteId("orders"), problem.Row);
        Assert.Equal("Path", problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.False(problem.ServingLastValidVersion);
    }

    [Fact]
    public void Build_ThreeGoodAndTwoBadRows_ServesTheThreeAndReportsExactlyTheTwo()
    {
        TableEntity[] routes =
        [
            Route("a", "/a", backend: "https://a.internal"),
            Route("bad-path", "b", backend: "https://b.internal"),
            Route("c", "/c", pool: "orders"),
            Route("bad-backend", "/d", backend: "ftp://d.internal"),
            Route("e", "/e", response: "ok"),
        ];
        TableEntity[] backends = [Backend("orders", "eu-1", "https://orders-eu.internal")];

        var snapshot = Build(routes, backends);

        Assert.Equal(["a", "c", "e"], snapshot.RoutesById.Keys.Select(k => k.RowKey).Order(StringComparer.Ordinal));
        Assert.Equal(["bad-backend", "bad-path"], snapshot.Problems.Select(p => p.Row.RowKey).Order(StringComparer.Ordinal));
        Assert.All(snapshot.Problems, p => Assert.Equal(ProblemSeverity.Error, p.Severity));
    }

    [Fact]
    public void Build_OneBadBackendRow_DoesNotHideTheOtherBackendsOfItsPool()
    {
        TableEntity[] routes = [Route("orders", "/orders", pool: "orders")];
        TableEntity[] backends =
        [
            Backend("orders", "eu-1", "https://orders-eu.internal"),
            Backend("orders", "us-1", "orders-us.internal"),
        ];

        var snapshot = Build(routes, backends);

        Assert.Single(snapshot.RoutesById);
        var backend = Assert.Single(snapshot.Pools["orders"].Backends);
        Assert.Equal("eu-1", backend.Id.RowKey);
        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal(new RowId("Backends", "orders", "us-1"), problem.Row);
        Assert.Equal("Url", problem.Column);
    }

    [Fact]
    public void Build_WarningOnlyRow_IsServedAndTheWarningReported()
    {
        TableEntity[] routes = [Route("orders", "/orders", backend: "https://orders.internal", extra: ("Owner", "team-a"))];

        var snapshot = Build(routes, []);

        Assert.Single(snapshot.RoutesById);
        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.Equal("Owner", problem.Column);
    }

    [Fact]
    public void Build_DisabledRoute_IsNotServedAndIsNoProblem()
    {
        TableEntity[] routes = [Route("orders", "/orders", backend: "https://orders.internal", extra: ("Enabled", false))];

        var snapshot = Build(routes, []);

        Assert.Empty(snapshot.RoutesById);
        Assert.Empty(snapshot.Problems);
    }

    // ---- Last valid version ------------------------------------------------------------------------------------

    [Fact]
    public void Build_RouteBrokenAfterAValidVersion_KeepsServingTheValidVersionAndSaysSo()
    {
        var first = Build([Route("orders", "/orders/{id}", backend: "https://orders.internal")], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "orders/{id}", backend: "https://orders.internal")], "Backends", [], first, SecondLoad);

        var served = Assert.Single(second.RoutesById);
        Assert.Equal("/orders/{id}", served.Value.Route.Path.Text);
        Assert.Equal("route/public/orders", Assert.IsType<PoolTarget>(served.Value.Route.Target).PoolName);
        Assert.True(second.Pools.ContainsKey("route/public/orders"));
        var problem = Assert.Single(second.Problems);
        Assert.Equal("Path", problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.True(problem.ServingLastValidVersion);
        Assert.EndsWith("(its last valid version keeps serving)", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_RouteFixedAgain_ServesTheNewVersion()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal")], []);
        var broken = GatewaySnapshotBuilder.Build("Routes", [Route("orders", "orders", backend: "https://orders.internal")], "Backends", [], first, SecondLoad);

        var fixedAgain = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/v2/orders", backend: "https://orders.internal")], "Backends", [], broken, SecondLoad.AddSeconds(10));

        Assert.Empty(fixedAgain.Problems);
        Assert.Equal("/v2/orders", Assert.Single(fixedAgain.RoutesById).Value.Route.Path.Text);
    }

    [Fact]
    public void Build_RouteWithWarningOnlyOnItsInvalidVersion_ReportsTheWarningWithoutServingLastValidFlag()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal")], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "ftp://orders.internal", extra: ("Owner", "team-a"))], "Backends", [], first, SecondLoad);

        Assert.Single(second.RoutesById);
        var warning = Assert.Single(second.Problems, p => p.Severity == ProblemSeverity.Warning);
        Assert.False(warning.ServingLastValidVersion);
        var error = Assert.Single(second.Problems, p => p.Severity == ProblemSeverity.Error);
        Assert.True(error.ServingLastValidVersion);
    }

    [Fact]
    public void Build_RouteInvalidWithoutEarlierVersion_IsNotServedAndDoesNotSayServing()
    {
        var first = Build([Route("other", "/other", backend: "https://other.internal")], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("other", "/other", backend: "https://other.internal"), Route("orders", "orders", backend: "https://orders.internal")],
            "Backends", [], first, SecondLoad);

        Assert.Equal(["other"], second.RoutesById.Keys.Select(k => k.RowKey));
        var problem = Assert.Single(second.Problems);
        Assert.Equal("orders", problem.Row.RowKey);
        Assert.False(problem.ServingLastValidVersion);
    }

    [Fact]
    public void Build_RouteDeletedFromTheTable_IsNoLongerServed()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal")], []);

        var second = GatewaySnapshotBuilder.Build("Routes", [], "Backends", [], first, SecondLoad);

        Assert.Empty(second.RoutesById);
        Assert.Empty(second.Pools);
    }

    [Fact]
    public void Build_RouteDisabledAfterAValidVersion_IsNotServed()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal")], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: ("Enabled", "false"))], "Backends", [], first, SecondLoad);

        Assert.Empty(second.RoutesById);
        Assert.Empty(second.Problems);
    }

    [Theory]
    [InlineData("CanaryPool", "orders-canary")]
    public void Build_NotYetSupportedProtectionAddedToAValidRoute_StopsServingTheRoute(string column, string value)
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal")], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: (column, value))], "Backends", [], first, SecondLoad);

        // The operator asked for protection the gateway cannot give yet; its earlier, unprotected version must not
        // keep serving in its place, as the message promises ("the route is not served while it is set").
        Assert.Empty(second.RoutesById);
        var problem = Assert.Single(second.Problems);
        Assert.Equal(column, problem.Column);
        Assert.Contains("the route is not served while it is set", problem.Message, StringComparison.Ordinal);
        Assert.False(problem.ServingLastValidVersion);
    }

    [Theory]
    [InlineData("auth", "jwt")]
    [InlineData("AUTH", "apikey")]
    [InlineData("scopes", "orders.read")]
    [InlineData("forwardAuthorization", "false")]
    public void Build_AuthColumnAddedInAnotherCaseToAValidRoute_StopsServingTheRoute(string written, string value)
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal", extra: ("Auth", "jwt"))], []);
        var anonymousFirst = Build([Route("orders", "/orders", backend: "https://orders.internal")], []);
        TableEntity[] edited = [Route("orders", "/orders", backend: "https://orders.internal", extra: (written, value))];

        var fromJwt = GatewaySnapshotBuilder.Build("Routes", edited, "Backends", [], first, SecondLoad);
        var fromAnonymous = GatewaySnapshotBuilder.Build("Routes", edited, "Backends", [], anonymousFirst, SecondLoad);

        // Read as absent, 'auth' would leave the edited row anonymous: the same protection as an anonymous last valid
        // version, which would then keep serving the route the operator just tried to protect.
        Assert.Empty(fromJwt.RoutesById);
        Assert.Empty(fromAnonymous.RoutesById);
        var problem = Assert.Single(fromAnonymous.Problems);
        Assert.Equal(written, problem.Column);
        Assert.False(problem.ServingLastValidVersion);
    }

    [Fact]
    public void Build_NotYetSupportedColumnAddedInAnotherCase_StopsServingTheRoute()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal")], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: ("ratelimit", "100/1m"))], "Backends", [], first, SecondLoad);

        Assert.Empty(second.RoutesById);
        Assert.All(second.Problems, p => Assert.False(p.ServingLastValidVersion));
    }

    [Fact]
    public void Build_OtherColumnInAnotherCase_ServesTheLastValidVersion()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal")], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: ("timeoutseconds", "5"))], "Backends", [], first, SecondLoad);

        Assert.Single(second.RoutesById);
        var problem = Assert.Single(second.Problems);
        Assert.Equal("column names are case-sensitive: rename 'timeoutseconds' to 'TimeoutSeconds'", problem.Message);
        Assert.True(problem.ServingLastValidVersion);
    }

    [Fact]
    public void Build_InvalidEditThatAddsAuth_DoesNotFallBackToTheUnprotectedVersion()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal")], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: [("Auth", "jwt"), ("TimeoutSeconds", "soon")])],
            "Backends", [], first, SecondLoad);

        Assert.Empty(second.RoutesById);
        Assert.False(Assert.Single(second.Problems).ServingLastValidVersion);
    }

    [Fact]
    public void Build_InvalidEditWithABadAuthValue_DoesNotFallBackEither()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal", extra: ("Auth", "jwt"))], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: ("Auth", "jwt|basic"))],
            "Backends", [], first, SecondLoad);

        Assert.Empty(second.RoutesById);
    }

    [Fact]
    public void Build_InvalidEditKeepingTheSameAuth_ServesTheLastValidVersion()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal", extra: ("Auth", "jwt"))], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: [("Auth", "jwt"), ("TimeoutSeconds", "soon")])],
            "Backends", [], first, SecondLoad);

        var served = Assert.Single(second.RoutesById.Values);
        Assert.Equal(FunctionsGateway.Authentication.AuthMode.Jwt, served.Route.Auth.Mode);
        Assert.True(Assert.Single(second.Problems).ServingLastValidVersion);
    }

    [Fact]
    public void Build_InvalidEditThatChangesAudiences_DoesNotFallBackToTheVersionWithOtherAudiences()
    {
        string[] trusted = ["api://orders", "api://billing"];
        var first = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: [("Auth", "jwt"), ("Audiences", "api://orders,api://billing")])],
            "Backends", [], GatewaySnapshot.Empty, FirstLoad, trusted);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: [("Auth", "jwt"), ("Audiences", "api://orders"), ("TimeoutSeconds", "soon")])],
            "Backends", [], first, SecondLoad, trusted);

        Assert.Single(first.RoutesById);
        Assert.Empty(second.RoutesById);
        Assert.False(Assert.Single(second.Problems).ServingLastValidVersion);
    }

    [Theory]
    [InlineData("gold: 1000/1m; free: 10/1m", false)]
    [InlineData("gold: 1000/1m", true)]
    public void Build_InvalidEditOfAnotherColumn_FallsBackOnlyWhenThePlansAreUnchanged(string editedPlans, bool servesLastValid)
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal", extra: [("RateLimit", "10/1m"), ("RateLimitPlans", "gold: 1000/1m")])], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: [("RateLimit", "10/1m"), ("RateLimitPlans", editedPlans), ("TimeoutSeconds", "soon")])],
            "Backends", [], first, SecondLoad);

        Assert.Equal(servesLastValid ? 1 : 0, second.RoutesById.Count);
        Assert.Equal(servesLastValid, Assert.Single(second.Problems).ServingLastValidVersion);
    }

    [Fact]
    public void Build_RateLimitPlansEditedIntoABadValue_StopsServingTheRoute()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal", extra: [("RateLimit", "10/1m"), ("RateLimitPlans", "gold: 1000/1m")])], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: [("RateLimit", "10/1m"), ("RateLimitPlans", "gold: 1000/1w")])],
            "Backends", [], first, SecondLoad);

        Assert.Empty(second.RoutesById);
        var problem = Assert.Single(second.Problems);
        Assert.Equal("RateLimitPlans", problem.Column);
        Assert.False(problem.ServingLastValidVersion);
    }

    [Fact]
    public void Build_InvalidEditKeepingTheSameAudiences_ServesTheLastValidVersion()
    {
        string[] trusted = ["api://orders"];
        var first = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: [("Auth", "jwt"), ("Audiences", "api://orders")])],
            "Backends", [], GatewaySnapshot.Empty, FirstLoad, trusted);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: [("Auth", "jwt"), ("Audiences", "api://orders"), ("TimeoutSeconds", "soon")])],
            "Backends", [], first, SecondLoad, trusted);

        var served = Assert.Single(second.RoutesById.Values);
        Assert.Equal(["api://orders"], served.Route.Auth.Audiences.ToArray());
        Assert.True(Assert.Single(second.Problems).ServingLastValidVersion);
    }

    [Fact]
    public void Build_RouteDisabledWhileSettingANotYetSupportedColumn_IsNotServed()
    {
        var first = Build([Route("orders", "/orders", backend: "https://orders.internal")], []);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", [Route("orders", "/orders", backend: "https://orders.internal", extra: [("RateLimit", "100/1m"), ("Enabled", false)])],
            "Backends", [], first, SecondLoad);

        Assert.Empty(second.RoutesById);
        Assert.DoesNotContain(second.Problems, p => p.ServingLastValidVersion);
    }

    [Fact]
    public void Build_BackendBrokenAfterAValidVersion_KeepsServingTheValidVersionAndSaysSo()
    {
        TableEntity[] routes = [Route("orders", "/orders", pool: "orders")];
        var first = Build(routes, [Backend("orders", "eu-1", "https://orders-eu.internal")]);

        var second = GatewaySnapshotBuilder.Build(
            "Routes", routes, "Backends", [Backend("orders", "eu-1", "https://orders-eu.internal", ("Weight", "heavy"))], first, SecondLoad);

        Assert.Single(second.RoutesById);
        var backend = Assert.Single(second.Pools["orders"].Backends);
        Assert.Equal(1, backend.Weight);
        var problem = Assert.Single(second.Problems);
        Assert.Equal(new RowId("Backends", "orders", "eu-1"), problem.Row);
        Assert.Equal("Weight", problem.Column);
        Assert.True(problem.ServingLastValidVersion);
    }

    // ---- Pools -----------------------------------------------------------------------------------------------------

    [Fact]
    public void Build_RouteNamingAnUnknownPool_ReportsErrorNamingThePool()
    {
        TableEntity[] routes = [Route("orders", "/orders", pool: "Orders")];
        TableEntity[] backends = [Backend("orders", "eu-1", "https://orders-eu.internal")];

        var snapshot = Build(routes, backends);

        Assert.Empty(snapshot.RoutesById);
        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal(RouteId("orders"), problem.Row);
        Assert.Equal("Pool", problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal(
            "names the pool 'Orders', which has no valid row in the Backends table; add a Backends row with PartitionKey 'Orders' or correct the name (pool names are case-sensitive)",
            problem.Message);
    }

    [Fact]
    public void Build_FallbackPoolUnknown_ReportsRowErrorOnTheRouteAndDoesNotServeIt()
    {
        TableEntity[] routes = [Route("orders", "/orders", pool: "orders", extra: ("FallbackPool", "orders-dr"))];
        TableEntity[] backends = [Backend("orders", "eu-1", "https://orders-eu.internal")];

        var snapshot = Build(routes, backends);

        Assert.Empty(snapshot.RoutesById);
        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal((RouteId("orders"), "FallbackPool", ProblemSeverity.Error), (problem.Row, problem.Column, problem.Severity));
        Assert.Equal(
            "names the pool 'orders-dr', which has no valid row in the Backends table; add a Backends row with PartitionKey 'orders-dr' or correct the name (pool names are case-sensitive)",
            problem.Message);
    }

    [Fact]
    public void Build_FallbackPoolNamingARoutesBackendShorthand_IsUnknown()
    {
        TableEntity[] routes =
        [
            Route("inline", "/inline", backend: "https://inline.internal"),
            Route("orders", "/orders", pool: "orders", extra: ("FallbackPool", "route/public/inline")),
        ];

        var snapshot = Build(routes, [Backend("orders", "eu-1", "https://orders-eu.internal")]);

        Assert.Equal(["inline"], snapshot.RoutesById.Keys.Select(k => k.RowKey));
        Assert.Equal("FallbackPool", Assert.Single(snapshot.Problems).Column);
    }

    [Fact]
    public void Build_FallbackPoolKnown_ServesTheRouteWithIt()
    {
        TableEntity[] routes = [Route("orders", "/orders", pool: "orders", extra: ("FallbackPool", "orders-dr"))];
        TableEntity[] backends = [Backend("orders", "eu-1", "https://orders-eu.internal"), Backend("orders-dr", "us-1", "https://orders-us.internal")];

        var snapshot = Build(routes, backends);

        Assert.Empty(snapshot.Problems);
        Assert.Equal("orders-dr", snapshot.RoutesById[RouteId("orders")].Route.FallbackPool);
    }

    [Fact]
    public void Build_FallbackPoolRowsDeleted_StopsTheRoute()
    {
        TableEntity[] routes = [Route("orders", "/orders", pool: "orders", extra: ("FallbackPool", "orders-dr"))];
        var first = Build(routes, [Backend("orders", "eu-1", "https://orders-eu.internal"), Backend("orders-dr", "us-1", "https://orders-us.internal")]);

        var second = GatewaySnapshotBuilder.Build("Routes", routes, "Backends", [Backend("orders", "eu-1", "https://orders-eu.internal")], first, SecondLoad);

        Assert.Empty(second.RoutesById);
        Assert.Equal("FallbackPool", Assert.Single(second.Problems).Column);
    }

    [Fact]
    public void Build_RouteRenamedToAnUnknownPool_KeepsServingItsLastVersionWhosePoolExists()
    {
        TableEntity[] backends = [Backend("orders", "eu-1", "https://orders-eu.internal")];
        var first = Build([Route("orders", "/orders", pool: "orders")], backends);

        var second = GatewaySnapshotBuilder.Build("Routes", [Route("orders", "/orders", pool: "order")], "Backends", backends, first, SecondLoad);

        var served = Assert.Single(second.RoutesById).Value.Route;
        Assert.Equal(new PoolTarget("orders"), served.Target);
        var problem = Assert.Single(second.Problems);
        Assert.Equal("Pool", problem.Column);
        Assert.True(problem.ServingLastValidVersion);
    }

    [Fact]
    public void Build_PoolOfTheLastValidVersionAlsoGone_RouteIsNotServed()
    {
        var first = Build([Route("orders", "/orders", pool: "orders")], [Backend("orders", "eu-1", "https://orders-eu.internal")]);

        var second = GatewaySnapshotBuilder.Build("Routes", [Route("orders", "orders", pool: "orders")], "Backends", [], first, SecondLoad);

        Assert.Empty(second.RoutesById);
        Assert.All(second.Problems, p => Assert.False(p.ServingLastValidVersion));
        Assert.Contains(second.Problems, p => p.Column == "Path");
    }

    [Fact]
    public void Build_PoolRowsDeletedUnderAnUnchangedRoute_RouteIsNotServed()
    {
        TableEntity[] routes = [Route("orders", "/orders", pool: "orders")];
        var first = Build(routes, [Backend("orders", "eu-1", "https://orders-eu.internal")]);

        var second = GatewaySnapshotBuilder.Build("Routes", routes, "Backends", [], first, SecondLoad);

        Assert.Empty(second.RoutesById);
        var problem = Assert.Single(second.Problems);
        Assert.Equal("Pool", problem.Column);
        Assert.False(problem.ServingLastValidVersion);
    }

    [Theory]
    [InlineData("Enabled", false)]
    [InlineData("Weight", 0)]
    public void Build_PoolWithNoBackendThatCanTakeTraffic_WarnsAndStillServesTheRoute(string column, object value)
    {
        TableEntity[] routes = [Route("orders", "/orders", pool: "orders")];
        TableEntity[] backends = [Backend("orders", "eu-1", "https://orders-eu.internal", (column, value))];

        var snapshot = Build(routes, backends);

        Assert.Single(snapshot.RoutesById);
        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal(RouteId("orders"), problem.Row);
        Assert.Equal("Pool", problem.Column);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.Equal(
            "names the pool 'orders', which has no enabled backend with a Weight above 0; requests to this route get 503 until one is enabled",
            problem.Message);
    }

    [Fact]
    public void Build_PoolWithOneUsableBackendAmongDrainedOnes_DoesNotWarn()
    {
        TableEntity[] routes = [Route("orders", "/orders", pool: "orders")];
        TableEntity[] backends =
        [
            Backend("orders", "eu-1", "https://orders-eu.internal", ("Weight", 0)),
            Backend("orders", "us-1", "https://orders-us.internal"),
        ];

        var snapshot = Build(routes, backends);

        Assert.Empty(snapshot.Problems);
        Assert.Equal(2, snapshot.Pools["orders"].Backends.Length);
    }

    [Fact]
    public void Build_BackendsOfSeveralPools_AreGroupedByPartitionKey()
    {
        TableEntity[] backends =
        [
            Backend("orders", "b", "https://b.internal"),
            Backend("payments", "p", "https://p.internal"),
            Backend("orders", "a", "https://a.internal"),
        ];

        var snapshot = Build([], backends);

        Assert.Equal(["orders", "payments"], snapshot.Pools.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["a", "b"], snapshot.Pools["orders"].Backends.Select(b => b.Id.RowKey));
        Assert.Equal(3, snapshot.BackendsById.Count);
    }

    [Fact]
    public void Build_AnonymousRouteUnderProtectedRouteWithMethods_WarnsOnTheAnonymousRoute()
    {
        TableEntity[] routes =
        [
            Route("admin", "/api/admin/{**rest}", backend: "https://api.internal", extra: [("Methods", "GET,POST"), ("Auth", "jwt"), ("Scopes", "admin")]),
            Route("public", "/api/{**rest}", backend: "https://api.internal"),
        ];

        var snapshot = Build(routes, []);

        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal((RouteId("public"), "Auth", ProblemSeverity.Warning), (problem.Row, problem.Column, problem.Severity));
        Assert.Equal(
            "is less protected than Routes 'public/admin' (Path '/api/admin/{**rest}', Auth jwt, Scopes admin), whose path matches the same "
            + "requests and comes first: Auth anonymous lets in callers that Auth jwt refuses; it does not require the Scopes admin. Requests "
            + "that route turns away for its Methods, Hosts or MatchHeaders are refused (405 or 404) rather than forwarded here. To serve them "
            + "here, give this route at least Auth jwt, Scopes admin; to serve them there, widen that route's Methods, Hosts or MatchHeaders; "
            + "if refusing them is intended, nothing needs to change",
            problem.Message);
        Assert.Equal(2, snapshot.RoutesById.Count);
    }

    [Fact]
    public void Build_FallbackAsProtectedAsTheRouteAboveIt_NoWarning()
    {
        TableEntity[] routes =
        [
            Route("special", "/orders/special", backend: "https://orders.internal", extra: [("Methods", "GET"), ("Auth", "apikey")]),
            Route("order", "/orders/{id}", backend: "https://orders.internal", extra: [("Auth", "apikey")]),
        ];

        var snapshot = Build(routes, []);

        Assert.Empty(snapshot.Problems);
    }

    private static RowId RouteId(string rowKey) => new("Routes", "public", rowKey);

    private static GatewaySnapshot Build(IReadOnlyList<TableEntity> routes, IReadOnlyList<TableEntity> backends) =>
        GatewaySnapshotBuilder.Build("Routes", routes, "Backends", backends, GatewaySnapshot.Empty, FirstLoad);

    private static TableEntity Route(
        string rowKey, string path, string? backend = null, string? pool = null, string? response = null, params (string Column, object Value)[] extra)
    {
        var entity = new TableEntity("public", rowKey) { ["Path"] = path };
        if (backend is not null)
        {
            entity["Backend"] = backend;
        }

        if (pool is not null)
        {
            entity["Pool"] = pool;
        }

        if (response is not null)
        {
            entity["ResponseBody"] = response;
        }

        foreach (var (column, value) in extra)
        {
            entity[column] = value;
        }

        return entity;
    }

    private static TableEntity Backend(string pool, string id, string url, params (string Column, object Value)[] extra)
    {
        var entity = new TableEntity(pool, id) { ["Url"] = url };
        foreach (var (column, value) in extra)
        {
            entity[column] = value;
        }

        return entity;
    }
}
