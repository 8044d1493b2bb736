using FunctionsGateway.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>How requests that arrive before the first load wait for it, and when they stop waiting.</summary>
public sealed class GatewaySnapshotProviderTests
{
    private static readonly TimeSpan LongWait = TimeSpan.FromDays(1);

    [Fact]
    public async Task WaitForFirstLoad_AfterTheFirstAttemptFailed_AnswersFalseAtOnce()
    {
        var provider = new GatewaySnapshotProvider();
        provider.ReportFailedAttempt();

        var wait = provider.WaitForFirstLoadAsync(LongWait, new FakeTimeProvider(), CancellationToken.None);

        Assert.True(wait.IsCompleted);
        Assert.False(await wait);
    }

    [Fact]
    public async Task WaitForFirstLoad_WhileTheFirstAttemptRuns_WaitsAndEndsWhenItFails()
    {
        var provider = new GatewaySnapshotProvider();
        var wait = provider.WaitForFirstLoadAsync(LongWait, new FakeTimeProvider(), CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);

        provider.ReportFailedAttempt();

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitForFirstLoad_WhileTheFirstAttemptRuns_EndsTrueWhenItLoads()
    {
        var provider = new GatewaySnapshotProvider();
        var wait = provider.WaitForFirstLoadAsync(LongWait, new FakeTimeProvider(), CancellationToken.None).AsTask();

        provider.Publish(GatewaySnapshot.Empty);

        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitForFirstLoad_NoAttemptFinishesWithinTheWait_AnswersFalse()
    {
        var time = new FakeTimeProvider();
        var provider = new GatewaySnapshotProvider();
        var wait = provider.WaitForFirstLoadAsync(TimeSpan.FromSeconds(10), time, CancellationToken.None).AsTask();

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task WaitForFirstLoad_AFailedAttemptFollowedByALoad_AnswersTrue()
    {
        var provider = new GatewaySnapshotProvider();
        provider.ReportFailedAttempt();

        provider.Publish(GatewaySnapshot.Empty);

        Assert.True(await provider.WaitForFirstLoadAsync(LongWait, new FakeTimeProvider(), CancellationToken.None));
    }

    [Fact]
    public void ReportFailedAttempt_AfterALoad_KeepsServing()
    {
        var provider = new GatewaySnapshotProvider();
        provider.Publish(GatewaySnapshot.Empty);

        provider.ReportFailedAttempt();

        Assert.True(provider.IsLoaded);
    }
}
