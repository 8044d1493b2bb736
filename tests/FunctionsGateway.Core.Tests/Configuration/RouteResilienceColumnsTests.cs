using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// The <c>Retries</c> and <c>Fault*</c> columns of a <c>Routes</c> row (docs/routes.md): what they give a route, and the
/// exact problem for each mistake.
/// </summary>
public sealed class RouteResilienceColumnsTests
{
    [Fact]
    public void Validate_NoResilienceColumns_TwoRetriesAndNoFaults()
    {
        var (route, problems) = Validate(Row());

        Assert.Empty(problems);
        Assert.Equal(2, route!.Retries);
        Assert.Null(route.Faults);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Validate_RetriesWithinRange_IsTheRoutesRetries(int retries)
    {
        var (route, problems) = Validate(Row(("Retries", retries)));

        Assert.Empty(problems);
        Assert.Equal(retries, route!.Retries);
    }

    [Theory]
    [InlineData(6, "6 is out of range; write a number from 0 to 5")]
    [InlineData(-1, "-1 is out of range; write a number from 0 to 5")]
    [InlineData("twice", "'twice' is not a whole number; write a number from 0 to 5")]
    public void Validate_RetriesInvalid_ReportsTheExactProblem(object retries, string message)
    {
        var (route, problems) = Validate(Row(("Retries", retries)));

        Assert.Null(route);
        var problem = Assert.Single(problems);
        Assert.Equal(("Retries", message), (problem.Column, problem.Message));
    }

    [Fact]
    public void Validate_AllFaultColumns_IsTheRoutesFaultInjection()
    {
        var (route, problems) = Validate(Row(("FaultAbortPercent", 10), ("FaultAbortStatus", "500"), ("FaultDelayPercent", 25), ("FaultDelayMs", 200)));

        Assert.Empty(problems);
        Assert.Equal(new FaultInjection(10, 500, 25, TimeSpan.FromMilliseconds(200)), route!.Faults);
    }

    [Fact]
    public void Validate_AbortPercentOnly_AbortsWith503()
    {
        var (route, problems) = Validate(Row(("FaultAbortPercent", 100)));

        Assert.Empty(problems);
        Assert.Equal(new FaultInjection(100, 503, 0, TimeSpan.Zero), route!.Faults);
    }

    [Fact]
    public void Validate_FaultPercentsZero_NoFaults()
    {
        var (route, problems) = Validate(Row(("FaultAbortPercent", 0), ("FaultDelayPercent", 0), ("FaultDelayMs", 100)));

        Assert.Empty(problems);
        Assert.Null(route!.Faults);
    }

    [Theory]
    [InlineData("FaultAbortPercent", 101, "101 is out of range; write a number from 0 to 100")]
    [InlineData("FaultDelayPercent", -5, "-5 is out of range; write a number from 0 to 100")]
    [InlineData("FaultAbortStatus", 302, "302 is out of range; write a number from 400 to 599")]
    [InlineData("FaultDelayMs", 60001, "60001 is out of range; write a number from 0 to 60000")]
    public void Validate_FaultValueOutOfRange_ReportsTheExactProblem(string column, int value, string message)
    {
        var entity = Row(("FaultAbortPercent", 1), ("FaultDelayPercent", 1), ("FaultDelayMs", 10), ("FaultAbortStatus", 503));
        entity[column] = value;

        var (route, problems) = Validate(entity);

        Assert.Null(route);
        Assert.Contains(problems, p => p.Column == column && p.Message == message);
    }

    [Fact]
    public void Validate_AbortStatusWithoutPercent_ReportsThatNothingWouldBeAborted()
    {
        var (route, problems) = Validate(Row(("FaultAbortStatus", 500)));

        Assert.Null(route);
        var problem = Assert.Single(problems);
        Assert.Equal(("FaultAbortStatus", "is set without FaultAbortPercent, so no request would be aborted; add FaultAbortPercent (1–100) or remove FaultAbortStatus"),
            (problem.Column, problem.Message));
    }

    [Fact]
    public void Validate_DelayPercentWithoutDelay_ReportsThatThereIsNoDelay()
    {
        var (route, problems) = Validate(Row(("FaultDelayPercent", 50)));

        Assert.Null(route);
        var problem = Assert.Single(problems);
        Assert.Equal(("FaultDelayPercent", "is 50 but FaultDelayMs is not set, so there is no delay to inject; add FaultDelayMs (1–60000) or remove FaultDelayPercent"),
            (problem.Column, problem.Message));
    }

    [Fact]
    public void Validate_DelayWithoutPercent_ReportsThatNothingWouldBeDelayed()
    {
        var (route, problems) = Validate(Row(("FaultDelayMs", 50)));

        Assert.Null(route);
        var problem = Assert.Single(problems);
        Assert.Equal(("FaultDelayMs", "is set without FaultDelayPercent, so no request would be delayed; add FaultDelayPercent (1–100) or remove FaultDelayMs"),
            (problem.Column, problem.Message));
    }

    [Fact]
    public void Validate_DelayAsLongAsTheDeadline_ReportsThatEveryDelayedRequestWouldTimeOut()
    {
        var (route, problems) = Validate(Row(("RequestTimeoutSeconds", 30), ("FaultDelayPercent", 50), ("FaultDelayMs", 30000)));

        Assert.Null(route);
        var problem = Assert.Single(problems);
        Assert.Equal(("FaultDelayMs", "30000 ms does not leave room within the route's deadline of 30 s (RequestTimeoutSeconds), so every delayed request would time out; write less than 30000"),
            (problem.Column, problem.Message));
    }

    private static TableEntity Row(params (string Column, object Value)[] columns)
    {
        var entity = new TableEntity("public", "orders")
        {
            ["Path"] = "/orders/{id}",
            ["Backend"] = "https://orders.internal.contoso.com",
        };
        foreach (var (column, value) in columns)
        {
            entity[column] = value;
        }

        return entity;
    }

    private static (FunctionsGateway.Routing.RouteDefinition? Route, IReadOnlyList<ConfigProblem> Problems) Validate(TableEntity entity)
    {
        var row = new RowReader("Routes", entity);
        var result = RouteRowValidator.Validate(row);
        return (result?.Route, row.Problems);
    }
}
