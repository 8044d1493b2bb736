using FunctionsGateway.RateLimiting;
using Xunit.Abstractions;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>
/// Counters under sustained demand of ten times the limit, window after window, with several gateway instances
/// (limiter instances) over one store: never over the limit in a fixed window, nearly all of it used, and in
/// leased mode few storage operations per admitted request.
/// </summary>
public sealed class LeasedSaturationTests(ITestOutputHelper output)
{
    private const int WarmUpWindows = 2;
    private static readonly RateLimitRule TwoThousandPerTenSeconds = new(2000, TimeSpan.FromSeconds(10), "2000/10s");

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public async Task Acquire_SustainedDemandOnSeveralInstances_NeverOverTheLimitInAnyWindow(int instances)
    {
        var run = NewRun(instances, leased: true);

        var result = await run.RunAsync();

        output.WriteLine(result.ToString());
        Assert.All(result.AdmittedPerWindow, admitted => Assert.InRange(admitted, 0, 2000));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public async Task Acquire_SustainedDemandOnSeveralInstances_UsesAtLeast97PercentOfTheLimitInEveryWindow(int instances)
    {
        var run = NewRun(instances, leased: true);

        var result = await run.RunAsync();

        output.WriteLine(result.ToString());
        Assert.All(result.AdmittedPerWindow, admitted => Assert.InRange(admitted, 1940, 2000));
    }

    [Fact]
    public async Task Acquire_SustainedDemandOnFourInstances_AtMostOneStorageOperationPerTwentyAdmittedRequests()
    {
        var run = NewRun(instances: 4, leased: true);

        var result = await run.RunAsync();

        output.WriteLine(result.ToString());
        Assert.InRange(result.OperationsPerAdmitted, 0, 0.05);
    }

    [Fact]
    public async Task Acquire_SustainedDemandOnOneInstance_StorageFollowsItsChecksNotTheRejectedRequests()
    {
        var run = NewRun(instances: 1, leased: true);

        var result = await run.RunAsync();

        output.WriteLine(result.ToString());
        Assert.InRange(result.SteadyStateOperations, 1, 60 * (run.Windows - WarmUpWindows));
    }

    [Fact]
    public async Task Acquire_SustainedDemandExactOnFourInstances_NeverOverTheLimitAndAtMostOneWritePerAdmittedRequest()
    {
        var run = NewRun(instances: 4, leased: false);

        var result = await run.RunAsync();

        output.WriteLine(result.ToString());
        Assert.All(result.AdmittedPerWindow, admitted => Assert.InRange(admitted, 1940, 2000));
        Assert.InRange(result.Operations.Writes, 1, result.AdmittedPerWindow.Sum());
    }

    private static SaturationRun NewRun(int instances, bool leased) =>
        new(new InMemoryRateLimitCounterStore(), TwoThousandPerTenSeconds)
        {
            Instances = instances,
            Leased = leased,
            RequestsPerInstancePerTick = Math.Max(1, 20 / instances),
            WarmUpWindows = WarmUpWindows,
        };
}
