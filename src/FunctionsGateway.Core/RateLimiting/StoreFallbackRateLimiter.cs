using System.Threading.RateLimiting;
using FunctionsGateway.Telemetry;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// The failure policy around a shared limiter: when the shared counters cannot be reached (an exception from the
/// store, a timeout, an open circuit), <c>open</c> decides with a local limiter (the same limit counted in this
/// instance's memory) and <c>closed</c> rejects with <see cref="StoreUnavailable"/> set (the pipeline answers 503).
/// Each such decision is logged and counted in <c>gateway.ratelimit.store_failures</c>.
/// </summary>
internal sealed partial class StoreFallbackRateLimiter(RateLimiter shared, RateLimiter localFallback, RateLimitFailureMode failure, ILogger logger) : RateLimiter
{
    /// <summary>The metadata set on a rejection made because the counters could not be reached (closed).</summary>
    public static readonly MetadataName<bool> StoreUnavailable = MetadataName.Create<bool>("RATELIMIT_STORE_UNAVAILABLE");

    public override TimeSpan? IdleDuration => shared.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => shared.GetStatistics();

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => shared.AttemptAcquire(permitCount);

    // Passes a synchronous answer of the shared limiter straight on (a token it already held): only a request that
    // waits for storage, or meets its failure, goes through the async path below.
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var pending = shared.AcquireAsync(permitCount, cancellationToken);
        return pending.IsCompletedSuccessfully ? pending : AcquireOrFallBackAsync(pending, permitCount, cancellationToken);
    }

    private async ValueTask<RateLimitLease> AcquireOrFallBackAsync(ValueTask<RateLimitLease> pending, int permitCount, CancellationToken cancellationToken)
    {
        try
        {
            return await pending.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var open = failure == RateLimitFailureMode.Open;
            Log.StoreFailed(logger, open ? "admitted within the local fallback limit" : "rejected (RateLimitFailure closed)", e);
            GatewayTelemetry.RateLimitStoreFailures.Add(1, new KeyValuePair<string, object?>("failure", open ? "open" : "closed"));
            return open
                ? await localFallback.AcquireAsync(permitCount, cancellationToken).ConfigureAwait(false)
                : new StoreUnavailableLease();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            shared.Dispose();
            localFallback.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class StoreUnavailableLease : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [StoreUnavailable.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == StoreUnavailable.Name ? true : null;
            return metadata is not null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Rate limit counters could not be reached; request {Outcome}")]
        public static partial void StoreFailed(ILogger logger, string outcome, Exception exception);
    }
}
