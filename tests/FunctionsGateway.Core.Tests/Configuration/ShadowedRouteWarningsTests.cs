using Azure.Data.Tables;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>Two valid routes with the same conditions: the one that never serves is named on the status listing.</summary>
public sealed class ShadowedRouteWarningsTests
{
    [Fact]
    public void Build_TwoRoutesWithTheSamePathMethodsHostsAndHeaders_WarnsOnTheOneThatNeverServes()
    {
        TableEntity[] routes =
        [
            Route("orders-copy", "/orders/{orderId}", ("Methods", "post,GET"), ("Hosts", "api.contoso.com."), ("MatchHeaders", "X-Tenant=A")),
            Route("orders", "/Orders/{id}", ("Methods", "GET,POST"), ("Hosts", "API.contoso.com"), ("MatchHeaders", "x-tenant=a")),
        ];

        var snapshot = Build(routes);

        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal((new RowId("Routes", "public", "orders-copy"), "Path", ProblemSeverity.Warning), (problem.Row, problem.Column, problem.Severity));
        Assert.Equal(
            "never serves: Routes 'public/orders' has the same Path, Methods, Hosts and MatchHeaders and is chosen first "
            + "(both have Order 0, so the lower row keys win). Delete this row if it is a copy; to serve this one instead, "
            + "give it an Order lower than 0; to serve both, make their Path, Methods, Hosts or MatchHeaders differ",
            problem.Message);
    }

    [Fact]
    public void Build_SameConditionsWithALowerOrder_NamesTheOrderAsTheReason()
    {
        TableEntity[] routes = [Route("a", "/orders"), Route("b", "/orders", ("Order", -1))];

        var snapshot = Build(routes);

        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal("a", problem.Row.RowKey);
        Assert.Contains("Routes 'public/b' has the same Path, Methods, Hosts and MatchHeaders and is chosen first (its Order -1 is lower than 0)", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Methods", "GET", "POST")]
    [InlineData("Hosts", "a.contoso.com", "b.contoso.com")]
    [InlineData("MatchHeaders", "x-api-version=1", "x-api-version=2")]
    [InlineData("Path", "/orders/{id}", "/orders/{**rest}")]
    public void Build_RoutesThatDifferInOneCondition_AreNotReported(string column, string first, string second)
    {
        TableEntity[] routes =
        [
            Route("a", column == "Path" ? first : "/orders", column == "Path" ? [] : [(column, first)]),
            Route("b", column == "Path" ? second : "/orders", column == "Path" ? [] : [(column, second)]),
        ];

        var snapshot = Build(routes);

        Assert.Empty(snapshot.Problems);
    }

    [Fact]
    public void Build_ThousandsOfCopies_ListsAtMostFiftyWarnings()
    {
        var routes = Enumerable.Range(0, 2000).Select(i => Route($"copy-{i:D4}", "/same")).ToArray();

        var snapshot = Build(routes);

        Assert.Equal(ShadowedRouteWarnings.MaxWarnings, snapshot.Problems.Length);
        Assert.Equal("copy-0001", snapshot.Problems[0].Row.RowKey);
        Assert.All(snapshot.Problems, p => Assert.Contains("Routes 'public/copy-0000'", p.Message, StringComparison.Ordinal));
    }

    private static GatewaySnapshot Build(IReadOnlyList<TableEntity> routes) =>
        GatewaySnapshotBuilder.Build("Routes", routes, "Backends", [], GatewaySnapshot.Empty, DateTimeOffset.UnixEpoch);

    private static TableEntity Route(string rowKey, string path, params (string Column, object Value)[] extra)
    {
        var entity = new TableEntity("public", rowKey) { ["Path"] = path, ["Backend"] = "https://orders.internal" };
        foreach (var (column, value) in extra)
        {
            entity[column] = value;
        }

        return entity;
    }
}
