using FunctionsGateway.Health;

namespace FunctionsGateway.Core.Tests.Health;

/// <summary>
/// The verdict after a probe: unhealthy after UnhealthyThreshold failures in a row, healthy after HealthyThreshold
/// successes in a row, the previous verdict in between; the counts come from the previous row.
/// </summary>
public sealed class HealthThresholdsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly HealthOptions Defaults = new();

    [Fact]
    public void Next_FirstFailureOfANewBackend_StaysUnknownAndCountsIt()
    {
        var report = HealthThresholds.Next(null, succeeded: false, Defaults, Now, 12, "answered 503 to GET /health");

        Assert.Equal((BackendHealthStatus.Unknown, 1, 0), (report.Status, report.ConsecutiveFailures, report.ConsecutiveSuccesses));
        Assert.Equal("answered 503 to GET /health", report.LastError);
    }

    [Fact]
    public void Next_SecondFailureInARow_MakesItUnhealthy()
    {
        var previous = Report(BackendHealthStatus.Healthy, failures: 1, successes: 0);

        var report = HealthThresholds.Next(previous, succeeded: false, Defaults, Now, 12, "refused");

        Assert.Equal((BackendHealthStatus.Unhealthy, 2, 0), (report.Status, report.ConsecutiveFailures, report.ConsecutiveSuccesses));
    }

    [Fact]
    public void Next_OneFailureOfAHealthyBackend_KeepsItHealthy()
    {
        var previous = Report(BackendHealthStatus.Healthy, failures: 0, successes: 7);

        var report = HealthThresholds.Next(previous, succeeded: false, Defaults, Now, 12, "refused");

        Assert.Equal((BackendHealthStatus.Healthy, 1, 0), (report.Status, report.ConsecutiveFailures, report.ConsecutiveSuccesses));
    }

    [Fact]
    public void Next_OneSuccessOfAnUnhealthyBackend_KeepsItUnhealthyAndClearsTheError()
    {
        var previous = Report(BackendHealthStatus.Unhealthy, failures: 5, successes: 0);

        var report = HealthThresholds.Next(previous, succeeded: true, Defaults, Now, 3, null);

        Assert.Equal((BackendHealthStatus.Unhealthy, 0, 1), (report.Status, report.ConsecutiveFailures, report.ConsecutiveSuccesses));
        Assert.Null(report.LastError);
    }

    [Fact]
    public void Next_SecondSuccessInARow_MakesItHealthyAgain()
    {
        var previous = Report(BackendHealthStatus.Unhealthy, failures: 0, successes: 1);

        var report = HealthThresholds.Next(previous, succeeded: true, Defaults, Now, 3, null);

        Assert.Equal((BackendHealthStatus.Healthy, 0, 2), (report.Status, report.ConsecutiveFailures, report.ConsecutiveSuccesses));
    }

    [Fact]
    public void Next_ThresholdsOfOne_DecideOnEveryProbe()
    {
        var options = new HealthOptions { UnhealthyThreshold = 1, HealthyThreshold = 1 };

        var down = HealthThresholds.Next(null, succeeded: false, options, Now, 1, "refused");
        var up = HealthThresholds.Next(down, succeeded: true, options, Now, 1, null);

        Assert.Equal(BackendHealthStatus.Unhealthy, down.Status);
        Assert.Equal(BackendHealthStatus.Healthy, up.Status);
    }

    [Fact]
    public void Next_ThreeFailuresNeeded_SecondLeavesTheVerdict()
    {
        var options = new HealthOptions { UnhealthyThreshold = 3 };
        var previous = Report(BackendHealthStatus.Healthy, failures: 1, successes: 0);

        var report = HealthThresholds.Next(previous, succeeded: false, options, Now, 1, "refused");

        Assert.Equal((BackendHealthStatus.Healthy, 2), (report.Status, report.ConsecutiveFailures));
    }

    [Fact]
    public void Next_KeepsTheTimeAndLatencyOfThisProbe()
    {
        var report = HealthThresholds.Next(Report(BackendHealthStatus.Healthy, 0, 4), succeeded: true, Defaults, Now, 42.5, null);

        Assert.Equal((Now, 42.5), (report.CheckedAt, report.LatencyMs));
    }

    [Fact]
    public void Next_CountsNeverOverflow()
    {
        var previous = Report(BackendHealthStatus.Unhealthy, failures: 1_000_000, successes: 0);

        var report = HealthThresholds.Next(previous, succeeded: false, Defaults, Now, 1, "refused");

        Assert.Equal(1_000_000, report.ConsecutiveFailures);
    }

    private static BackendHealthReport Report(BackendHealthStatus status, int failures, int successes) =>
        new(status, Now.AddSeconds(-30), 5, failures, successes, failures > 0 ? "refused" : null);
}
