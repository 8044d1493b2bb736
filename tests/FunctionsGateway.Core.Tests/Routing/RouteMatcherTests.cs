using Microsoft.AspNetCore.Http;
using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Routing;

public class RouteMatcherTests
{
    private const string AnyHost = "gateway.example.net";

    // ---- Path segments ----

    [Fact]
    public void Match_LiteralPath_ReturnsRoute()
    {
        var matcher = new RouteMatcher([Route("/orders/list", "list")]);

        var route = Match(matcher, "GET", "/orders/list");

        Assert.Equal("list", IdOf(route));
    }

    [Theory]
    [InlineData("/ORDERS/List")]
    [InlineData("/orders/LIST")]
    public void Match_RequestCaseDiffers_MatchesLiteralCaseInsensitively(string path)
    {
        var matcher = new RouteMatcher([Route("/Orders/list", "list")]);

        var route = Match(matcher, "GET", path);

        Assert.Equal("list", IdOf(route));
    }

    [Theory]
    [InlineData("/orders/", "orders")]
    [InlineData("/orders/42/", "order")]
    public void Match_TrailingSlashInRequest_IsIgnored(string path, string expected)
    {
        var matcher = new RouteMatcher([Route("/orders", "orders"), Route("/orders/{id}", "order")]);

        var route = Match(matcher, "GET", path);

        Assert.Equal(expected, IdOf(route));
    }

    [Theory]
    [InlineData("/order")]
    [InlineData("/orders/list/extra")]
    [InlineData("/orderslist")]
    [InlineData("/list")]
    public void Match_PathOfNoRoute_ReturnsNull(string path)
    {
        var matcher = new RouteMatcher([Route("/orders/list", "list")]);

        var route = Match(matcher, "GET", path);

        Assert.Null(route);
    }

    [Fact]
    public void Match_NoRoutes_ReturnsNull()
    {
        var matcher = new RouteMatcher([]);

        var route = Match(matcher, "GET", "/");

        Assert.Null(route);
    }

    [Theory]
    [InlineData("/orders/42")]
    [InlineData("/orders/ABC-def")]
    [InlineData("/orders/a.b")]
    public void Match_ParameterSegment_MatchesAnyOneSegment(string path)
    {
        var matcher = new RouteMatcher([Route("/orders/{id}", "order")]);

        var route = Match(matcher, "GET", path);

        Assert.Equal("order", IdOf(route));
    }

    [Theory]
    [InlineData("/orders")]
    [InlineData("/orders/42/lines")]
    public void Match_ParameterWithoutExactlyOneSegment_ReturnsNull(string path)
    {
        var matcher = new RouteMatcher([Route("/orders/{id}", "order")]);

        var route = Match(matcher, "GET", path);

        Assert.Null(route);
    }

    [Theory]
    [InlineData("/orders//lines")]
    [InlineData("/orders//")]
    public void Match_EmptySegmentInRequest_NeverMatchesParameter(string path)
    {
        var matcher = new RouteMatcher([Route("/orders/{id}/lines", "lines"), Route("/orders/{id}", "order")]);

        var route = Match(matcher, "GET", path);

        Assert.Null(route);
    }

    [Fact]
    public void Match_EmptySegmentInRequest_DoesNotMatchLiteral()
    {
        var matcher = new RouteMatcher([Route("/orders/list", "list")]);

        var route = Match(matcher, "GET", "/orders//list");

        Assert.Null(route);
    }

    [Theory]
    [InlineData("/files")]
    [InlineData("/files/")]
    [InlineData("/files/a")]
    [InlineData("/files/a/b/c.txt")]
    [InlineData("/files/a/b/")]
    [InlineData("/files//a")]
    [InlineData("/FILES/a")]
    public void Match_CatchAll_MatchesRestOfPathIncludingNothing(string path)
    {
        var matcher = new RouteMatcher([Route("/files/{**rest}", "files")]);

        var route = Match(matcher, "GET", path);

        Assert.Equal("files", IdOf(route));
    }

    [Theory]
    [InlineData("/files")]
    [InlineData("/files/a/b")]
    public void Match_SingleStarCatchAll_MatchesLikeDoubleStar(string path)
    {
        var matcher = new RouteMatcher([Route("/files/{*rest}", "files")]);

        var route = Match(matcher, "GET", path);

        Assert.Equal("files", IdOf(route));
    }

    [Theory]
    [InlineData("/filesystem")]
    [InlineData("/file/a")]
    [InlineData("/")]
    public void Match_CatchAllPrefixDiffers_ReturnsNull(string path)
    {
        var matcher = new RouteMatcher([Route("/files/{**rest}", "files")]);

        var route = Match(matcher, "GET", path);

        Assert.Null(route);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("")]
    public void Match_RootTemplate_MatchesRootAndEmptyPath(string path)
    {
        var matcher = new RouteMatcher([Route("/", "root")]);

        var route = Match(matcher, "GET", path);

        Assert.Equal("root", IdOf(route));
    }

    [Theory]
    [InlineData("/a")]
    [InlineData("//")]
    [InlineData("/a/b")]
    public void Match_RootTemplate_DoesNotMatchOtherPaths(string path)
    {
        var matcher = new RouteMatcher([Route("/", "root")]);

        var route = Match(matcher, "GET", path);

        Assert.Null(route);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/anything/at/all")]
    public void Match_RootCatchAll_MatchesEveryPath(string path)
    {
        var matcher = new RouteMatcher([Route("/{**rest}", "everything")]);

        var route = Match(matcher, "GET", path);

        Assert.Equal("everything", IdOf(route));
    }

    // ---- Path specificity ----

    [Theory]
    [InlineData("/orders/special", "special")]
    [InlineData("/orders/42", "order")]
    public void Match_LiteralAndParameterBothMatch_LiteralWins(string path, string expected)
    {
        var matcher = new RouteMatcher([Route("/orders/{id}", "order"), Route("/orders/special", "special")]);

        var route = Match(matcher, "GET", path);

        Assert.Equal(expected, IdOf(route));
    }

    [Theory]
    [InlineData("/orders/42", "order")]
    [InlineData("/orders/42/lines", "rest")]
    [InlineData("/orders", "rest")]
    public void Match_ParameterAndCatchAllBothMatch_ParameterWins(string path, string expected)
    {
        var matcher = new RouteMatcher([Route("/orders/{**rest}", "rest"), Route("/orders/{id}", "order")]);

        var route = Match(matcher, "GET", path);

        Assert.Equal(expected, IdOf(route));
    }

    [Fact]
    public void Match_SegmentsDifferAtTwoPlaces_FirstDifferenceDecides()
    {
        var matcher = new RouteMatcher([Route("/a/{x}/c", "param-then-literal"), Route("/a/b/{y}", "literal-then-param")]);

        var route = Match(matcher, "GET", "/a/b/c");

        Assert.Equal("literal-then-param", IdOf(route));
    }

    [Fact]
    public void Match_LiteralFirstSegmentAgainstLongerParameterRoute_LiteralFirstSegmentWins()
    {
        var matcher = new RouteMatcher([Route("/{tenant}/orders", "tenant-orders"), Route("/api/{**rest}", "api")]);

        var route = Match(matcher, "GET", "/api/orders");

        Assert.Equal("api", IdOf(route));
    }

    [Theory]
    [InlineData("/files/report/meta", "meta")]
    [InlineData("/files/report", "files")]
    [InlineData("/other", "everything")]
    public void Match_LongerPathAndShorterCatchAll_LongerPathWins(string path, string expected)
    {
        var matcher = new RouteMatcher(
        [
            Route("/{**rest}", "everything"),
            Route("/files/{**rest}", "files"),
            Route("/files/{name}/meta", "meta"),
        ]);

        var route = Match(matcher, "GET", path);

        Assert.Equal(expected, IdOf(route));
    }

    [Theory]
    [InlineData("/files")]
    [InlineData("/files/")]
    public void Match_TemplateEndingHereAndEmptyCatchAll_TemplateEndingHereWins(string path)
    {
        var matcher = new RouteMatcher([Route("/files/{**rest}", "files-rest"), Route("/files", "files")]);

        var route = Match(matcher, "GET", path);

        Assert.Equal("files", IdOf(route));
    }

    [Fact]
    public void Match_MoreSpecificPathWithoutFilters_BeatsLessSpecificPathWithEveryFilter()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/{id}", "filtered", methods: "GET", hosts: "api.contoso.com", headers: "x-beta", order: -100),
            Route("/orders/special", "plain"),
        ]);

        var route = Match(matcher, "GET", "/orders/special", "api.contoso.com", Headers(("x-beta", "1")));

        Assert.Equal("plain", IdOf(route));
    }

    [Theory]
    [InlineData("/orders/42", "order-get")]
    [InlineData("/orders/special", "special")]
    [InlineData("/orders/a/b", "orders-rest")]
    [InlineData("/x", "everything")]
    public void Match_RoutesGivenInEitherOrder_SameWinner(string path, string expected)
    {
        RouteDefinition[] routes =
        [
            Route("/{**rest}", "everything"),
            Route("/orders/{id}", "order"),
            Route("/orders/{id}", "order-get", methods: "GET"),
            Route("/orders/special", "special"),
            Route("/orders/{**rest}", "orders-rest"),
        ];
        var forward = new RouteMatcher(routes);
        var backward = new RouteMatcher(Enumerable.Reverse(routes));

        var winners = (IdOf(Match(forward, "GET", path)), IdOf(Match(backward, "GET", path)));

        Assert.Equal((expected, expected), winners);
    }

    // ---- Backtracking ----

    [Theory]
    [InlineData("GET", "special")]
    [InlineData("POST", "order")]
    public void Match_LiteralRouteRejectsMethod_FallsThroughToParameterRoute(string method, string expected)
    {
        var matcher = new RouteMatcher([Route("/orders/special", "special", methods: "GET"), Route("/orders/{id}", "order")]);

        var route = Match(matcher, method, "/orders/special");

        Assert.Equal(expected, IdOf(route));
    }

    [Fact]
    public void Match_LiteralBranchHasNoRouteForTheRest_BacktracksToParameterBranch()
    {
        var matcher = new RouteMatcher([Route("/a/b/c", "literal"), Route("/a/{x}/d", "parameter")]);

        var route = Match(matcher, "GET", "/a/b/d");

        Assert.Equal("parameter", IdOf(route));
    }

    [Fact]
    public void Match_DeepBranchesRejectFilters_FallsThroughToCatchAll()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/{id}/lines", "lines", hosts: "api.contoso.com"),
            Route("/orders/42/lines", "literal-lines", headers: "x-beta"),
            Route("/orders/{**rest}", "fallback"),
        ]);

        var route = Match(matcher, "GET", "/orders/42/lines", "www.contoso.com");

        Assert.Equal("fallback", IdOf(route));
    }

    [Fact]
    public void Match_HeaderConditionFails_FallsThroughToRouteWithoutIt()
    {
        var matcher = new RouteMatcher([Route("/orders/{id}", "v2", headers: "x-api-version=2"), Route("/orders/{**rest}", "v1")]);

        var route = Match(matcher, "GET", "/orders/42", headers: Headers(("x-api-version", "1")));

        Assert.Equal("v1", IdOf(route));
    }

    [Fact]
    public void Match_EveryRouteRejectsFiltersOneOnlyForItsMethod_RefusesWith405()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/special", "special", methods: "GET"),
            Route("/orders/{id}", "order", hosts: "api.contoso.com"),
            Route("/orders/{**rest}", "rest", headers: "x-beta"),
        ]);

        var match = Decide(matcher, "POST", "/orders/special", "www.contoso.com");

        Assert.Equal((RouteRefusal.MethodNotAllowed, "GET"), (match.Refusal, match.Allow));
    }

    [Fact]
    public void Match_EveryRouteRejectsHostOrHeaders_RefusesWith404()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/special", "special", methods: "GET", headers: "x-beta"),
            Route("/orders/{id}", "order", hosts: "api.contoso.com"),
        ]);

        var match = Decide(matcher, "POST", "/orders/special", "www.contoso.com");

        Assert.Equal((RouteRefusal.NotFound, ""), (match.Refusal, match.Allow));
    }

    // ---- Fall-through never lands on weaker protection ----

    [Theory]
    [InlineData("DELETE", "/api/admin/users/7")]
    [InlineData("HEAD", "/api/admin/export")]
    [InlineData("PUT", "/api/admin")]
    public void Match_ProtectedRouteRejectsMethod_RefusesInsteadOfFallingToAnonymousRoute(string method, string path)
    {
        var matcher = new RouteMatcher(
        [
            Route("/api/admin/{**rest}", "admin", methods: "GET,POST", auth: "jwt"),
            Route("/api/{**rest}", "public"),
        ]);

        var match = Decide(matcher, method, path);

        Assert.Equal((null, RouteRefusal.MethodNotAllowed, "GET, POST"), (match.Route, match.Refusal, match.Allow));
    }

    [Theory]
    [InlineData("GET", "/api/admin/users/7", "admin")]
    [InlineData("DELETE", "/api/orders/7", "public")]
    [InlineData("DELETE", "/api/administrator", "public")]
    public void Match_ProtectedRouteBesideAnonymousRoute_EachServesItsOwnRequests(string method, string path, string expected)
    {
        var matcher = new RouteMatcher(
        [
            Route("/api/admin/{**rest}", "admin", methods: "GET,POST", auth: "jwt"),
            Route("/api/{**rest}", "public"),
        ]);

        var route = Match(matcher, method, path);

        Assert.Equal(expected, IdOf(route));
    }

    [Fact]
    public void Match_ProtectedRouteRejectsHeader_RefusesWith404InsteadOfFallingToAnonymousRoute()
    {
        var matcher = new RouteMatcher(
        [
            Route("/echo/{**rest}", "secure-v2", headers: "x-api-version=2", auth: "apikey"),
            Route("/echo/{**rest}", "public"),
        ]);

        var match = Decide(matcher, "GET", "/echo/data", headers: Headers(("x-api-version", "1")));

        Assert.Equal((null, RouteRefusal.NotFound), (match.Route, match.Refusal));
    }

    [Fact]
    public void Match_RateLimitedRouteTurnsTheMethodAway_NeverFallsThroughToAnotherRoutesCounters()
    {
        var limited = Route("/orders/special", "special", methods: "GET") with
        {
            RateLimit = new FunctionsGateway.RateLimiting.RateLimitPolicy(
                [new FunctionsGateway.RateLimiting.RateLimitRule(10, TimeSpan.FromMinutes(1), "10/1m")],
                FunctionsGateway.RateLimiting.RateLimitKeySource.Consumer,
                FunctionsGateway.RateLimiting.RateLimitMode.Leased,
                FunctionsGateway.RateLimiting.RateLimitFailureMode.Open),
        };
        var matcher = new RouteMatcher([limited, Route("/orders/{id}", "order")]);

        var match = Decide(matcher, "POST", "/orders/special");

        Assert.Equal((null, RouteRefusal.MethodNotAllowed, "GET"), (match.Route, match.Refusal, match.Allow));
    }

    [Fact]
    public void Match_SeparateVirtualHostsWithDifferentAuth_EachHostReachesItsOwnRoute()
    {
        // Different hosts are different sites: the API's protection does not hold back the docs site on the same paths.
        var matcher = new RouteMatcher(
        [
            Route("/{**rest}", "api", hosts: "api.contoso.com", auth: "jwt"),
            Route("/{**rest}", "docs", hosts: "docs.contoso.com,*.docs.contoso.com"),
        ]);

        var docs = Decide(matcher, "GET", "/admin/users", "docs.contoso.com");
        var api = Decide(matcher, "GET", "/admin/users", "api.contoso.com");

        Assert.Equal("docs", docs.Route?.Id.RowKey);
        Assert.Equal("api", api.Route?.Id.RowKey);
    }

    [Theory]
    [InlineData("api.contoso.com,www.contoso.com")]
    [InlineData("*.contoso.com")]
    public void Match_WeakerRouteSharingAHostWithTheProtectedOne_IsStillAFallThroughAndRefused(string weakerHosts)
    {
        // The weaker route also serves the protected route's host, so a client can pick the other host to reach the same site.
        var matcher = new RouteMatcher(
        [
            Route("/admin/{**rest}", "admin", hosts: "api.contoso.com", auth: "jwt"),
            Route("/{**rest}", "site", hosts: weakerHosts),
        ]);

        var match = Decide(matcher, "GET", "/admin/users", "www.contoso.com");

        Assert.Equal((null, RouteRefusal.NotFound), (match.Route, match.Refusal));
    }

    [Fact]
    public void Match_ProtectedRouteRejectsHost_RefusesWith404InsteadOfFallingToAnonymousRoute()
    {
        var matcher = new RouteMatcher(
        [
            Route("/admin/{**rest}", "admin", hosts: "admin.contoso.com", auth: "jwt"),
            Route("/{**rest}", "site"),
        ]);

        var match = Decide(matcher, "GET", "/admin/users", "www.contoso.com");

        Assert.Equal((null, RouteRefusal.NotFound), (match.Route, match.Refusal));
    }

    [Theory]
    [InlineData("jwt", "", "jwt", "", true)]
    [InlineData("jwt|apikey", "", "jwt", "", true)]
    [InlineData("jwt|apikey", "", "apikey", "", true)]
    [InlineData("apikey", "orders.read", "apikey", "orders.read,orders.write", true)]
    [InlineData("jwt", "", "jwt|apikey", "", false)]
    [InlineData("jwt", "", "apikey", "", false)]
    [InlineData("apikey", "", "jwt", "", false)]
    [InlineData("jwt", "orders.write", "jwt", "orders.read", false)]
    [InlineData("jwt", "orders.write", "anonymous", "", false)]
    public void Match_ProtectedRouteRejectsMethod_FallsThroughOnlyToAtLeastAsStrictRoute(
        string passedAuth, string passedScopes, string fallbackAuth, string fallbackScopes, bool served)
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/special", "special", methods: "GET", auth: passedAuth, scopes: passedScopes),
            Route("/orders/{id}", "order", auth: fallbackAuth, scopes: fallbackScopes),
        ]);

        var match = Decide(matcher, "POST", "/orders/special");

        Assert.Equal(served ? "order" : "(no route)", IdOf(match.Route));
        Assert.Equal(served ? RouteRefusal.None : RouteRefusal.MethodNotAllowed, match.Refusal);
    }

    [Fact]
    public void Match_FallbackAsStrictAsFirstPassedOverButWeakerThanSecond_Refuses()
    {
        var matcher = new RouteMatcher(
        [
            Route("/a/b/c", "strict", headers: "x-beta", auth: "jwt", scopes: "a.admin"),
            Route("/a/b/{x}", "loose", methods: "GET", auth: "jwt"),
            Route("/a/{**rest}", "fallback", auth: "jwt", scopes: "a.read"),
        ]);

        var match = Decide(matcher, "POST", "/a/b/c");

        Assert.Equal((null, RouteRefusal.MethodNotAllowed, "GET"), (match.Route, match.Refusal, match.Allow));
    }

    [Fact]
    public void Match_RoutesPassedOverForMethodWithDifferentLists_AllowListsEveryMethodOnce()
    {
        var matcher = new RouteMatcher(
        [
            Route("/reports/{id}", "read", methods: "GET,HEAD", auth: "jwt"),
            Route("/reports/{**rest}", "write", methods: "PUT,GET", auth: "jwt"),
            Route("/reports/{**rest}", "beta", methods: "PATCH", headers: "x-beta", auth: "jwt"),
            Route("/{**rest}", "site"),
        ]);

        var match = Decide(matcher, "DELETE", "/reports/7");

        Assert.Equal((RouteRefusal.MethodNotAllowed, "GET, HEAD, PUT"), (match.Refusal, match.Allow));
    }

    [Fact]
    public void Match_AnonymousRoutesPassedOver_FallThroughAsBefore()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/special", "special", methods: "GET"),
            Route("/orders/{id}", "order", headers: "x-beta"),
            Route("/orders/{**rest}", "rest", auth: "apikey"),
        ]);

        var route = Match(matcher, "POST", "/orders/special");

        Assert.Equal("rest", IdOf(route));
    }

    [Fact]
    public void Match_StrongerRouteLaterInSameShape_ServedAfterWeakerOnePassedOver()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders", "a-beta", headers: "x-beta"),
            Route("/orders", "b-secure", auth: "jwt", order: 1),
        ]);

        var route = Match(matcher, "GET", "/orders");

        Assert.Equal("b-secure", IdOf(route));
    }

    // ---- Methods ----

    [Theory]
    [InlineData("GET")]
    [InlineData("get")]
    [InlineData("Post")]
    public void Match_MethodInList_ComparesCaseInsensitively(string method)
    {
        var matcher = new RouteMatcher([Route("/orders", "orders", methods: "GET,POST")]);

        var route = Match(matcher, method, "/orders");

        Assert.Equal("orders", IdOf(route));
    }

    [Fact]
    public void Match_MethodNotInList_RefusesWith405AndTheRoutesMethods()
    {
        var matcher = new RouteMatcher([Route("/orders", "orders", methods: "POST,GET")]);

        var match = Decide(matcher, "DELETE", "/orders");

        Assert.Equal((null, RouteRefusal.MethodNotAllowed, "GET, POST"), (match.Route, match.Refusal, match.Allow));
    }

    [Fact]
    public void Match_PathOfNoRoute_RefusesWith404()
    {
        var matcher = new RouteMatcher([Route("/orders", "orders", methods: "GET")]);

        var match = Decide(matcher, "DELETE", "/customers");

        Assert.Equal((null, RouteRefusal.NotFound), (match.Route, match.Refusal));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PATCH")]
    [InlineData("PROPFIND")]
    public void Match_NoMethodList_AllowsAnyMethod(string method)
    {
        var matcher = new RouteMatcher([Route("/orders", "orders")]);

        var route = Match(matcher, method, "/orders");

        Assert.Equal("orders", IdOf(route));
    }

    // ---- Hosts ----

    [Theory]
    [InlineData("api.contoso.com")]
    [InlineData("API.Contoso.COM")]
    public void Match_ExactHost_ComparesCaseInsensitively(string host)
    {
        var matcher = new RouteMatcher([Route("/orders", "orders", hosts: "api.contoso.com")]);

        var route = Match(matcher, "GET", "/orders", host);

        Assert.Equal("orders", IdOf(route));
    }

    [Theory]
    [InlineData("contoso.com")]
    [InlineData("eu.api.contoso.com")]
    [InlineData("api.fabrikam.com")]
    [InlineData("")]
    public void Match_ExactHostOtherHost_ReturnsNull(string host)
    {
        var matcher = new RouteMatcher([Route("/orders", "orders", hosts: "api.contoso.com")]);

        var route = Match(matcher, "GET", "/orders", host);

        Assert.Null(route);
    }

    [Theory]
    [InlineData("api.contoso.com")]
    [InlineData("eu.api.contoso.com")]
    [InlineData("EU.CONTOSO.COM")]
    public void Match_WildcardHost_MatchesAnySubdomain(string host)
    {
        var matcher = new RouteMatcher([Route("/orders", "orders", hosts: "*.contoso.com")]);

        var route = Match(matcher, "GET", "/orders", host);

        Assert.Equal("orders", IdOf(route));
    }

    [Theory]
    [InlineData("contoso.com")]
    [InlineData("evilcontoso.com")]
    [InlineData("contoso.com.evil.net")]
    public void Match_WildcardHost_DoesNotMatchApexDomainOrLookalikes(string host)
    {
        var matcher = new RouteMatcher([Route("/orders", "orders", hosts: "*.contoso.com")]);

        var route = Match(matcher, "GET", "/orders", host);

        Assert.Null(route);
    }

    [Theory]
    [InlineData("contoso.com")]
    [InlineData("www.fabrikam.com")]
    public void Match_SeveralHosts_AnyOfThemMatches(string host)
    {
        var matcher = new RouteMatcher([Route("/orders", "orders", hosts: "contoso.com,*.fabrikam.com")]);

        var route = Match(matcher, "GET", "/orders", host);

        Assert.Equal("orders", IdOf(route));
    }

    // ---- Headers ----

    [Theory]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("anything")]
    public void Match_HeaderPresenceCondition_AcceptsAnyValue(string value)
    {
        var matcher = new RouteMatcher([Route("/orders", "beta", headers: "x-beta")]);

        var route = Match(matcher, "GET", "/orders", headers: Headers(("X-Beta", value)));

        Assert.Equal("beta", IdOf(route));
    }

    [Fact]
    public void Match_HeaderPresenceConditionHeaderMissing_ReturnsNull()
    {
        var matcher = new RouteMatcher([Route("/orders", "beta", headers: "x-beta")]);

        var route = Match(matcher, "GET", "/orders", headers: Headers(("x-other", "1")));

        Assert.Null(route);
    }

    [Theory]
    [InlineData("preview")]
    [InlineData("PREVIEW")]
    public void Match_HeaderValueCondition_ComparesValueCaseInsensitively(string value)
    {
        var matcher = new RouteMatcher([Route("/orders", "preview", headers: "x-api-version=Preview")]);

        var route = Match(matcher, "GET", "/orders", headers: Headers(("x-api-version", value)));

        Assert.Equal("preview", IdOf(route));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("22")]
    [InlineData("")]
    public void Match_HeaderValueConditionOtherValue_ReturnsNull(string value)
    {
        var matcher = new RouteMatcher([Route("/orders", "v2", headers: "x-api-version=2")]);

        var route = Match(matcher, "GET", "/orders", headers: Headers(("x-api-version", value)));

        Assert.Null(route);
    }

    [Theory]
    [InlineData(true, true, "both")]
    [InlineData(true, false, "(no route)")]
    [InlineData(false, true, "(no route)")]
    public void Match_SeveralHeaderConditions_AllMustHold(bool sendVersion, bool sendBeta, string expected)
    {
        var matcher = new RouteMatcher([Route("/orders", "both", headers: "x-api-version=2,x-beta")]);
        var headers = Headers();
        if (sendVersion)
        {
            headers.Append("x-api-version", "2");
        }

        if (sendBeta)
        {
            headers.Append("x-beta", "on");
        }

        var route = Match(matcher, "GET", "/orders", headers: headers);

        Assert.Equal(expected, IdOf(route));
    }

    // ---- Tie-breaks among routes with the same path shape ----

    [Fact]
    public void Match_SamePathShapeWithOtherParameterNamesAndCase_IsTieBrokenByOrder()
    {
        var matcher = new RouteMatcher([Route("/orders/{id}", "first", order: 2), Route("/ORDERS/{orderId}", "second", order: 1)]);

        var route = Match(matcher, "GET", "/orders/42");

        Assert.Equal("second", IdOf(route));
    }

    [Fact]
    public void Match_ExactHostAndWildcardHost_ExactHostWins()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders", "a-wildcard", hosts: "*.contoso.com"),
            Route("/orders", "b-exact", hosts: "api.contoso.com"),
        ]);

        var route = Match(matcher, "GET", "/orders", "api.contoso.com");

        Assert.Equal("b-exact", IdOf(route));
    }

    [Fact]
    public void Match_WildcardHostAndNoHost_WildcardHostWins()
    {
        var matcher = new RouteMatcher([Route("/orders", "a-any"), Route("/orders", "b-wildcard", hosts: "*.contoso.com")]);

        var route = Match(matcher, "GET", "/orders", "api.contoso.com");

        Assert.Equal("b-wildcard", IdOf(route));
    }

    [Theory]
    [InlineData("api.contoso.com", "a-mixed")]
    [InlineData("eu.contoso.com", "b-exact-eu")]
    public void Match_RouteWithExactAndWildcardHosts_RanksByTheHostThatMatched(string host, string expected)
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders", "a-mixed", hosts: "api.contoso.com,*.contoso.com"),
            Route("/orders", "b-exact-eu", hosts: "eu.contoso.com"),
        ]);

        var route = Match(matcher, "GET", "/orders", host);

        Assert.Equal(expected, IdOf(route));
    }

    [Fact]
    public void Match_MoreHeaderConditions_BeatFewer()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders", "a-one", headers: "x-api-version=2"),
            Route("/orders", "b-two", headers: "x-api-version=2,x-beta"),
        ]);

        var route = Match(matcher, "GET", "/orders", headers: Headers(("x-api-version", "2"), ("x-beta", "1")));

        Assert.Equal("b-two", IdOf(route));
    }

    [Fact]
    public void Match_RestrictedMethodsAndAnyMethod_RestrictedMethodsWin()
    {
        var matcher = new RouteMatcher([Route("/orders", "a-any"), Route("/orders", "b-get", methods: "GET")]);

        var route = Match(matcher, "GET", "/orders");

        Assert.Equal("b-get", IdOf(route));
    }

    [Fact]
    public void Match_DifferentOrder_LowerOrderWins()
    {
        var matcher = new RouteMatcher([Route("/orders", "a-late", order: 10), Route("/orders", "b-early", order: -1)]);

        var route = Match(matcher, "GET", "/orders");

        Assert.Equal("b-early", IdOf(route));
    }

    [Theory]
    [InlineData("Routes", "public", "b", "Routes", "public", "a", "a")]
    [InlineData("Routes", "public", "a", "Routes", "internal", "b", "b")]
    [InlineData("RoutesB", "public", "a", "RoutesA", "public", "b", "b")]
    [InlineData("Routes", "Public", "a", "Routes", "public", "b", "a")]
    public void Match_EqualOnEveryRule_OrdinalRowIdWins(
        string table1, string partition1, string rowKey1, string table2, string partition2, string rowKey2, string expected)
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders", rowKey1, partitionKey: partition1, table: table1),
            Route("/orders", rowKey2, partitionKey: partition2, table: table2),
        ]);

        var route = Match(matcher, "GET", "/orders");

        Assert.Equal(expected, IdOf(route));
    }

    [Fact]
    public void Match_HostRankAgainstHeaders_HostRankComesFirst()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders", "a-headers", headers: "x-api-version=2,x-beta"),
            Route("/orders", "b-host", hosts: "api.contoso.com"),
        ]);

        var route = Match(matcher, "GET", "/orders", "api.contoso.com", Headers(("x-api-version", "2"), ("x-beta", "1")));

        Assert.Equal("b-host", IdOf(route));
    }

    [Fact]
    public void Match_HeadersAgainstMethods_HeadersComeFirst()
    {
        var matcher = new RouteMatcher([Route("/orders", "a-get", methods: "GET"), Route("/orders", "b-header", headers: "x-beta")]);

        var route = Match(matcher, "GET", "/orders", headers: Headers(("x-beta", "1")));

        Assert.Equal("b-header", IdOf(route));
    }

    [Fact]
    public void Match_MethodsAgainstOrder_MethodsComeFirst()
    {
        var matcher = new RouteMatcher([Route("/orders", "a-first", order: -5), Route("/orders", "b-get", methods: "GET", order: 5)]);

        var route = Match(matcher, "GET", "/orders");

        Assert.Equal("b-get", IdOf(route));
    }

    [Fact]
    public void Match_OrderAgainstRowId_OrderComesFirst()
    {
        var matcher = new RouteMatcher([Route("/orders", "a", order: 1), Route("/orders", "b", order: 0)]);

        var route = Match(matcher, "GET", "/orders");

        Assert.Equal("b", IdOf(route));
    }

    [Fact]
    public void Match_TieBreakWinnerRejectsFilters_NextRouteOfSameShapeWins()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders", "a-exact", hosts: "api.contoso.com"),
            Route("/orders", "b-header", headers: "x-beta"),
            Route("/orders", "c-any"),
        ]);

        var route = Match(matcher, "GET", "/orders", "www.contoso.com");

        Assert.Equal("c-any", IdOf(route));
    }

    // ---- The HttpRequest overload ----

    [Fact]
    public void Match_HttpRequest_UsesMethodHostPathAndHeaders()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/{id}", "wanted", methods: "PUT", hosts: "api.contoso.com", headers: "x-beta"),
            Route("/{**rest}", "fallback"),
        ]);
        var context = new DefaultHttpContext();
        context.Request.Method = "PUT";
        context.Request.Host = new HostString("api.contoso.com");
        context.Request.Path = "/orders/42";
        context.Request.Headers["x-beta"] = "1";

        var route = matcher.Match(context.Request).Route;

        Assert.Equal("wanted", IdOf(route));
    }

    [Theory]
    [InlineData("POST", "api.contoso.com", "/orders/42", "x-beta")]
    [InlineData("PUT", "www.contoso.com", "/orders/42", "x-beta")]
    [InlineData("PUT", "api.contoso.com", "/orders", "x-beta")]
    [InlineData("PUT", "api.contoso.com", "/orders/42", "x-other")]
    public void Match_HttpRequestFailsOneCondition_FallsThrough(string method, string host, string path, string header)
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/{id}", "wanted", methods: "PUT", hosts: "api.contoso.com", headers: "x-beta"),
            Route("/{**rest}", "fallback"),
        ]);
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Host = new HostString(host);
        context.Request.Path = path;
        context.Request.Headers[header] = "1";

        var route = matcher.Match(context.Request).Route;

        Assert.Equal("fallback", IdOf(route));
    }

    [Fact]
    public void Match_HttpRequestHostWithPort_ComparesHostWithoutPort()
    {
        var matcher = new RouteMatcher([Route("/orders", "orders", hosts: "api.contoso.com")]);
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Host = new HostString("api.contoso.com:8443");
        context.Request.Path = "/orders";

        var route = matcher.Match(context.Request).Route;

        Assert.Equal("orders", IdOf(route));
    }

    [Fact]
    public void Match_HttpRequestWithoutPath_MatchesRoot()
    {
        var matcher = new RouteMatcher([Route("/", "root")]);
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";

        var route = matcher.Match(context.Request).Route;

        Assert.Equal("root", IdOf(route));
    }

    [Theory]
    [InlineData("api.contoso.com")]
    [InlineData("api.contoso.com:8443")]
    [InlineData("localhost:")]
    [InlineData("[::1]")]
    [InlineData("[::1]:5000")]
    [InlineData("10.0.0.1:80")]
    [InlineData("")]
    public void HostWithoutPort_AnyHostHeader_AgreesWithHostStringHost(string value)
    {
        var expected = new HostString(value).Host;

        var host = RouteMatcher.HostWithoutPort(value).ToString();

        Assert.Equal(expected, host);
    }

    [Theory]
    [InlineData("api.contoso.com.")]
    [InlineData("api.contoso.com.:443")]
    [InlineData("API.contoso.com.:")]
    [InlineData("eu.contoso.com.")]
    [InlineData("eu.contoso.com.:8443")]
    public void Match_HttpRequestHostWithTrailingDot_MatchesTheSameRoutesAsWithout(string host)
    {
        var matcher = new RouteMatcher(
        [
            Route("/admin", "admin", hosts: "api.contoso.com,*.contoso.com", auth: "jwt"),
            Route("/{**rest}", "site"),
        ]);
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Host = new HostString(host);
        context.Request.Path = "/admin";

        var route = matcher.Match(context.Request).Route;

        Assert.Equal("admin", IdOf(route));
    }

    [Theory]
    [InlineData("api.contoso.com..")]
    [InlineData("api.contoso.com..:443")]
    public void Match_HostWithTwoTrailingDots_IsNotTheHost(string host)
    {
        var matcher = new RouteMatcher([Route("/admin", "admin", hosts: "api.contoso.com", auth: "jwt")]);
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Host = new HostString(host);
        context.Request.Path = "/admin";

        var match = matcher.Match(context.Request);

        Assert.Equal(RouteRefusal.NotFound, match.Refusal);
    }

    [Fact]
    public void HostWithoutPort_UnbracketedIPv6_ReturnsItWithoutAddingBrackets()
    {
        // HostString.Host would allocate "[::1]"; no host pattern can match an IPv6 address, so the
        // brackets would change nothing but the allocation count.
        var value = "::1";

        var host = RouteMatcher.HostWithoutPort(value).ToString();

        Assert.Equal("::1", host);
    }

    // ---- Scale, allocations and construction ----

    [Fact]
    public void Match_TenThousandRoutes_FindsEachRouteByItsOwnPath()
    {
        var routes = Enumerable.Range(0, 10_000)
            .Select(i => (i % 3) switch
            {
                0 => Route($"/svc{i}/orders/{{id}}", $"r{i}"),
                1 => Route($"/svc{i}/files/{{**rest}}", $"r{i}"),
                _ => Route($"/svc{i}/health", $"r{i}"),
            })
            .ToList();
        var matcher = new RouteMatcher(routes);

        var mismatches = Enumerable.Range(0, 10_000)
            .Select(i => (Expected: $"r{i}", Path: (i % 3) switch
            {
                0 => $"/svc{i}/orders/{i}",
                1 => $"/svc{i}/files/a/b",
                _ => $"/SVC{i}/health/",
            }))
            .Where(c => IdOf(Match(matcher, "GET", c.Path)) != c.Expected)
            .Select(c => c.Path)
            .ToList();

        Assert.Empty(mismatches);
    }

    [Theory]
    [InlineData("GET", "/orders/special")]
    [InlineData("POST", "/orders/special")]
    [InlineData("GET", "/orders/42/lines/7")]
    [InlineData("GET", "/files/a/b/c")]
    [InlineData("GET", "/nothing/here")]
    public void Match_HitOrMiss_AllocatesNothing(string method, string path)
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/special", "special", methods: "GET", hosts: "api.contoso.com,*.contoso.com"),
            Route("/orders/{id}", "order", headers: "x-api-version=2"),
            Route("/orders/{id}/lines/{line}", "line", hosts: "*.contoso.com"),
            Route("/files/{**rest}", "files"),
        ]);
        var headers = Headers(("x-api-version", "2"));
        matcher.Match(method, "api.contoso.com", path, headers);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            matcher.Match(method, "api.contoso.com", path, headers);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Match_HttpRequestWithPort_AllocatesNothing()
    {
        var matcher = new RouteMatcher([Route("/orders/{id}", "order", hosts: "api.contoso.com", headers: "x-beta")]);
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Host = new HostString("api.contoso.com:8443");
        context.Request.Path = "/orders/42";
        context.Request.Headers["x-beta"] = "1";
        matcher.Match(context.Request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            matcher.Match(context.Request);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("POST", "/orders/special", "")]
    [InlineData("DELETE", "/admin/x", "")]
    [InlineData("GET", "/admin/x", "")]
    [InlineData("GET", "/beta/x", "")]
    [InlineData("GET", "/secure/x", "x-beta")]
    public void Match_FallThroughPastProtectionOrRefusal_AllocatesNothing(string method, string path, string header)
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/special", "special", methods: "GET", auth: "jwt"),
            Route("/orders/{id}", "order", auth: "jwt"),
            Route("/admin/{**rest}", "admin", methods: "GET,POST", hosts: "admin.contoso.com", auth: "jwt"),
            Route("/beta/{**rest}", "beta", headers: "x-beta", auth: "apikey"),
            Route("/secure/{**rest}", "secure", headers: "x-beta", methods: "PUT", auth: "jwt"),
            Route("/secure/{**rest}", "secure-get", methods: "GET", auth: "jwt"),
            Route("/{**rest}", "site"),
        ]);
        var headers = header.Length == 0 ? Headers() : Headers((header, "1"));
        matcher.Match(method, "www.contoso.com", path, headers);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            matcher.Match(method, "www.contoso.com", path, headers);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    // ---- Weaker fall-through pairs, for the status listing ----

    [Fact]
    public void FindWeakerFallThroughs_AnonymousCatchAllUnderProtectedRouteWithMethods_NamesThePair()
    {
        var matcher = new RouteMatcher(
        [
            Route("/api/admin/{**rest}", "admin", methods: "GET,POST", auth: "jwt"),
            Route("/api/{**rest}", "public"),
            Route("/{**rest}", "site", auth: "jwt"),
        ]);

        var pairs = matcher.FindWeakerFallThroughs(10);

        Assert.Equal([("public", "admin")], pairs.Select(p => (p.Weaker.Id.RowKey, p.Stronger.Id.RowKey)));
    }

    [Fact]
    public void FindWeakerFallThroughs_SeparateVirtualHosts_NamesOnlyTheRouteServingAnyHost()
    {
        var matcher = new RouteMatcher(
        [
            Route("/{**rest}", "api", hosts: "api.contoso.com", auth: "jwt"),
            Route("/{**rest}", "docs", hosts: "docs.contoso.com"),
            Route("/{**rest}", "anyhost"),
        ]);

        var pairs = matcher.FindWeakerFallThroughs(10);

        Assert.Equal([("anyhost", "api")], pairs.Select(p => (p.Weaker.Id.RowKey, p.Stronger.Id.RowKey)));
    }

    [Fact]
    public void FindWeakerFallThroughs_LiteralOverParameterAndSameShape_NamesEveryWeakerRouteUntilOneTakesEverything()
    {
        var matcher = new RouteMatcher(
        [
            Route("/orders/special", "special", methods: "GET", auth: "jwt", scopes: "orders.admin"),
            Route("/orders/special", "special-post", methods: "POST", auth: "jwt", order: 1),
            Route("/orders/{id}", "order", auth: "jwt", scopes: "orders.admin"),
            Route("/orders/{**rest}", "never-reached"),
        ]);

        var pairs = matcher.FindWeakerFallThroughs(10);

        Assert.Equal([("special-post", "special")], pairs.Select(p => (p.Weaker.Id.RowKey, p.Stronger.Id.RowKey)));
    }

    [Fact]
    public void FindWeakerFallThroughs_ProtectedRoutesWithoutConditionsOrEquallyProtectedFallbacks_NamesNothing()
    {
        var matcher = new RouteMatcher(
        [
            Route("/secure/{**rest}", "secure", auth: "apikey"),
            Route("/orders/special", "special", methods: "GET", auth: "jwt"),
            Route("/orders/{id}", "order", auth: "jwt"),
            Route("/{**rest}", "site"),
        ]);

        var pairs = matcher.FindWeakerFallThroughs(10);

        Assert.Empty(pairs);
    }

    [Fact]
    public void FindWeakerFallThroughs_MorePairsThanTheLimit_ReturnsTheFirstByRow()
    {
        var routes = Enumerable.Range(0, 20).Select(i => Route($"/svc{i:00}/admin", $"admin{i:00}", methods: "GET", auth: "jwt"))
            .Append(Route("/{**rest}", "site"));
        var matcher = new RouteMatcher(routes);

        var pairs = matcher.FindWeakerFallThroughs(3);

        Assert.Equal(["admin00", "admin01", "admin02"], pairs.Select(p => p.Stronger.Id.RowKey));
    }

    [Fact]
    public void FindWeakerFallThroughs_TenThousandProtectedRoutesOnOnePathOverAnonymousOnes_LooksAheadOfEachAndKeepsTheFirstPairsByRow()
    {
        var routes = Enumerable.Range(0, 10_000)
            .Select(i => Route("/api/{**rest}", $"p{i:00000}", headers: $"x-tenant={i}", auth: "jwt"))
            .Concat(Enumerable.Range(0, 100).Select(i => Route("/api/{**rest}", $"w{i:000}", order: 1)))
            .Append(Route("/{**rest}", "site"));
        var matcher = new RouteMatcher(routes);

        var pairs = matcher.FindWeakerFallThroughs(3);

        // Each protected route is compared with the next 64 tried after it: only the last 64 reach the anonymous ones.
        Assert.Equal([("w000", "p09936"), ("w000", "p09937"), ("w000", "p09938")], pairs.Select(p => (p.Weaker.Id.RowKey, p.Stronger.Id.RowKey)));
    }

    [Fact]
    public void Constructor_NullRouteInList_ThrowsArgumentException()
    {
        RouteDefinition[] routes = [Route("/orders", "orders"), null!];

        var exception = Assert.Throws<ArgumentException>(() => new RouteMatcher(routes));

        Assert.Contains("contains null", exception.Message, StringComparison.Ordinal);
    }

    private static RouteDefinition? Match(
        RouteMatcher matcher, string method, string path, string host = AnyHost, IHeaderDictionary? headers = null) =>
        Decide(matcher, method, path, host, headers).Route;

    private static RouteMatch Decide(
        RouteMatcher matcher, string method, string path, string host = AnyHost, IHeaderDictionary? headers = null) =>
        matcher.Match(method, host, path, headers ?? Headers());
}
