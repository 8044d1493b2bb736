using System.Threading.RateLimiting;

namespace FunctionsGateway.RateLimiting;

/// <summary>The answer of a <see cref="SharedWindowRateLimiter"/>: admitted or not, with Retry-After and the window's state.</summary>
internal sealed class WindowLimiterLease(bool isAcquired, long remaining, TimeSpan resetAfter, TimeSpan retryAfter) : RateLimitLease
{
    /// <summary>The metadata name of the tokens the estimate still allows in the window.</summary>
    public static readonly MetadataName<long> Remaining = MetadataName.Create<long>("RATELIMIT_REMAINING");

    /// <summary>The metadata name of the time until the window ends.</summary>
    public static readonly MetadataName<TimeSpan> ResetAfter = MetadataName.Create<TimeSpan>("RATELIMIT_RESET_AFTER");

    public override bool IsAcquired => isAcquired;

    public override IEnumerable<string> MetadataNames =>
        isAcquired ? [Remaining.Name, ResetAfter.Name] : [Remaining.Name, ResetAfter.Name, MetadataName.RetryAfter.Name];

    public long RemainingPermits => remaining;

    public TimeSpan ResetAfterTime => resetAfter;

    public TimeSpan RetryAfterTime => retryAfter;

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName switch
        {
            _ when metadataName == Remaining.Name => remaining,
            _ when metadataName == ResetAfter.Name => resetAfter,
            _ when metadataName == MetadataName.RetryAfter.Name && !isAcquired => retryAfter,
            _ => null,
        };
        return metadata is not null;
    }
}
