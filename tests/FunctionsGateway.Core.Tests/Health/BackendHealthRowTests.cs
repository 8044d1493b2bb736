using Azure.Data.Tables;
using FunctionsGateway.Health;

namespace FunctionsGateway.Core.Tests.Health;

/// <summary>A BackendHealth row reads back as what was written; a row edited into nonsense never reads as healthy.</summary>
public sealed class BackendHealthRowTests
{
    private static readonly DateTimeOffset CheckedAt = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ToEntityThenRead_GivesTheSameReport()
    {
        var report = new BackendHealthReport(BackendHealthStatus.Unhealthy, CheckedAt, 12.34, 3, 0, "answered 503 to GET /health");

        var entity = BackendHealthRow.ToEntity("orders", "eu", report);
        var read = BackendHealthRow.Read(entity);

        Assert.Equal(("orders", "eu", "Unhealthy"), (entity.PartitionKey, entity.RowKey, entity.GetString("Status")));
        Assert.Equal(report, read);
    }

    [Fact]
    public void ToEntity_SuccessfulProbe_WritesAnEmptyLastError()
    {
        var entity = BackendHealthRow.ToEntity("orders", "eu", new BackendHealthReport(BackendHealthStatus.Healthy, CheckedAt, 1, 0, 2, null));

        Assert.Equal(string.Empty, entity.GetString("LastError"));
        Assert.Null(BackendHealthRow.Read(entity)?.LastError);
    }

    [Fact]
    public void Read_NoCheckedAt_IsNoRow()
    {
        var entity = new TableEntity("orders", "eu") { ["Status"] = "Healthy" };

        Assert.Null(BackendHealthRow.Read(entity));
    }

    [Theory]
    [InlineData("healthy", "Healthy")]
    [InlineData("UNHEALTHY", "Unhealthy")]
    [InlineData("fine", "Unknown")]
    [InlineData("7", "Unknown")]
    [InlineData("", "Unknown")]
    public void Read_Status_IsReadInAnyCaseAndAnythingElseIsUnknown(string written, string expected)
    {
        var entity = new TableEntity("orders", "eu") { ["Status"] = written, ["CheckedAt"] = CheckedAt };

        Assert.Equal(expected, BackendHealthRow.Read(entity)?.Status.ToString());
    }

    [Fact]
    public void Read_NegativeOrMissingCounts_AreZero()
    {
        var entity = new TableEntity("orders", "eu") { ["Status"] = "Unhealthy", ["CheckedAt"] = CheckedAt, ["ConsecutiveFailures"] = -4 };

        var read = BackendHealthRow.Read(entity);

        Assert.Equal((0, 0, 0.0), (read?.ConsecutiveFailures, read?.ConsecutiveSuccesses, read?.LatencyMs));
    }
}
