using Azure.Data.Tables;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// A route's <c>RequestTimeoutSeconds</c>: the deadline from the request's arrival until the response starts,
/// beside the idle timeout <c>TimeoutSeconds</c>.
/// </summary>
public sealed class RequestTimeoutColumnTests
{
    [Fact]
    public void Validate_NoRequestTimeout_DeadlineIs60Seconds()
    {
        var (route, problems) = Validate(Row());

        Assert.Empty(problems);
        Assert.Equal(TimeSpan.FromSeconds(60), route!.Route.RequestTimeout);
    }

    [Fact]
    public void Validate_NoRequestTimeoutAndALongerIdleTimeout_DeadlineIsTheIdleTimeout()
    {
        var (route, problems) = Validate(Row(("TimeoutSeconds", 120)));

        Assert.Empty(problems);
        Assert.Equal(TimeSpan.FromSeconds(120), route!.Route.RequestTimeout);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(225)]
    [InlineData("90")]
    public void Validate_RequestTimeoutWithinRange_IsTheDeadline(object seconds)
    {
        var (route, problems) = Validate(Row(("RequestTimeoutSeconds", seconds)));

        Assert.Empty(problems);
        Assert.Equal(TimeSpan.FromSeconds(Convert.ToInt32(seconds, System.Globalization.CultureInfo.InvariantCulture)), route!.Route.RequestTimeout);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(226)]
    public void Validate_RequestTimeoutOutOfRange_ReportsTheRange(int seconds)
    {
        var (route, problems) = Validate(Row(("RequestTimeoutSeconds", seconds)));

        Assert.Null(route);
        var problem = Assert.Single(problems);
        Assert.Equal("RequestTimeoutSeconds", problem.Column);
        Assert.Equal($"{seconds} is out of range; write a number from 1 to 225", problem.Message);
    }

    [Fact]
    public void Validate_RequestTimeoutShorterThanTheIdleTimeout_IsRefusedSayingWhatToWrite()
    {
        var (route, problems) = Validate(Row(("TimeoutSeconds", 30), ("RequestTimeoutSeconds", 10)));

        Assert.Null(route);
        var problem = Assert.Single(problems);
        Assert.Equal("RequestTimeoutSeconds", problem.Column);
        Assert.Equal("10 is shorter than TimeoutSeconds 30; the deadline until the response starts must be at least the backend's idle timeout, so write 30 or more, or lower TimeoutSeconds", problem.Message);
    }

    private static TableEntity Row(params (string Column, object Value)[] columns)
    {
        var entity = new TableEntity("public", "orders") { ["Path"] = "/orders", ["Backend"] = "https://orders.internal.contoso.com" };
        foreach (var (column, value) in columns)
        {
            entity[column] = value;
        }

        return entity;
    }

    private static (ValidatedRoute? Route, IReadOnlyList<ConfigProblem> Problems) Validate(TableEntity entity)
    {
        var row = new RowReader("Routes", entity);
        var route = RouteRowValidator.Validate(row);
        return (route, row.Problems);
    }
}
