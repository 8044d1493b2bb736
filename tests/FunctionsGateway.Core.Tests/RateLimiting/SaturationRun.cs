using FunctionsGateway.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>
/// Several gateway instances (limiter instances over one store) under constant demand on one counter, window
/// after window, on a fake clock that advances one tick at a time: each instance receives the same number of
/// requests each tick. Counts what each fixed window admitted and the storage operations after the warm-up.
/// </summary>
internal sealed class SaturationRun(IRateLimitCounterStore store, RateLimitRule rule)
{
    /// <summary>A window-aligned start for every period from 1 s to 1 d.</summary>
    public static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 - (1_800_000_000 % 86_400));

    public int Instances { get; init; } = 4;

    public bool Leased { get; init; } = true;

    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(10);

    public int RequestsPerInstancePerTick { get; init; } = 5;

    public int Windows { get; init; } = 6;

    /// <summary>Windows left out of the steady state: the first fills at once, the next starts from a full one.</summary>
    public int WarmUpWindows { get; init; } = 2;

    public async Task<Result> RunAsync()
    {
        var operations = new RateLimitStoreOperations();
        var metered = new MeteredCounterStore(store, operations);
        var time = new FakeTimeProvider(Start);
        var limiters = Enumerable.Range(0, Instances)
            .Select(i => new SharedWindowRateLimiter(new SlidingWindowCounter(metered, "saturated", rule, time), Leased, time, new Random(i)))
            .ToList();
        var admitted = new long[Windows];
        var offered = 0L;
        var operationsBeforeSteadyState = 0L;
        var ticksPerWindow = (int)(rule.Window / Tick);
        for (var window = 0; window < Windows; window++)
        {
            if (window == WarmUpWindows)
            {
                operationsBeforeSteadyState = operations.Total;
            }

            for (var tick = 0; tick < ticksPerWindow; tick++)
            {
                for (var request = 0; request < RequestsPerInstancePerTick; request++)
                {
                    foreach (var limiter in limiters)
                    {
                        using var lease = await limiter.AcquireAsync();
                        admitted[window] += lease.IsAcquired ? 1 : 0;
                        offered++;
                    }
                }

                time.Advance(Tick);
            }
        }

        limiters.ForEach(l => l.Dispose());
        var steadyAdmitted = admitted.Skip(WarmUpWindows).Sum();
        return new Result(admitted, offered / Windows, operations.Total - operationsBeforeSteadyState, steadyAdmitted, operations);
    }

    /// <param name="AdmittedPerWindow">Requests admitted in each fixed window.</param>
    /// <param name="OfferedPerWindow">Requests offered per window.</param>
    /// <param name="SteadyStateOperations">Storage operations after the warm-up windows.</param>
    /// <param name="SteadyStateAdmitted">Requests admitted after the warm-up windows.</param>
    /// <param name="Operations">All storage operations, by kind.</param>
    public sealed record Result(long[] AdmittedPerWindow, long OfferedPerWindow, long SteadyStateOperations, long SteadyStateAdmitted, RateLimitStoreOperations Operations)
    {
        public IEnumerable<long> SteadyStateWindows(int warmUp) => AdmittedPerWindow.Skip(warmUp);

        public double OperationsPerAdmitted => (double)SteadyStateOperations / SteadyStateAdmitted;

        public override string ToString() =>
            $"admitted per window {string.Join(", ", AdmittedPerWindow)} of {OfferedPerWindow} offered; steady state: {SteadyStateOperations} operations "
            + $"(read {Operations.Reads}, write {Operations.Writes}, conflict {Operations.Conflicts}, delete {Operations.Deletes} in all) for "
            + $"{SteadyStateAdmitted} admitted, {OperationsPerAdmitted:F4} per admitted request";
    }
}
