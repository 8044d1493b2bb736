using FunctionsGateway.Configuration;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>How a problem reads in the log: where it is, then what to do.</summary>
public sealed class ConfigProblemTests
{
    [Fact]
    public void ToString_WithColumn_NamesTableKeysAndColumn()
    {
        var problem = new ConfigProblem(new RowId("Routes", "public", "orders"), "Order", ProblemSeverity.Error, "'abc' is not a whole number");

        var text = problem.ToString();

        Assert.Equal("Routes 'public/orders' column 'Order': 'abc' is not a whole number", text);
    }

    [Fact]
    public void ToString_WholeRow_OmitsColumn()
    {
        var problem = new ConfigProblem(new RowId("Routes", "public", "orders"), null, ProblemSeverity.Error, "says neither where to forward");

        var text = problem.ToString();

        Assert.Equal("Routes 'public/orders': says neither where to forward", text);
    }

    [Fact]
    public void ToString_ServingLastValidVersion_SaysSo()
    {
        var problem = new ConfigProblem(new RowId("Backends", "orders", "eu-1"), "Url", ProblemSeverity.Error, "is required")
        {
            ServingLastValidVersion = true,
        };

        var text = problem.ToString();

        Assert.Equal("Backends 'orders/eu-1' column 'Url': is required (its last valid version keeps serving)", text);
    }
}
