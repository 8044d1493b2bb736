namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>A <see cref="Random"/> whose <see cref="NextDouble"/> is always the same value, so jitter is known.</summary>
internal sealed class FixedRandom(double value) : Random
{
    public override double NextDouble() => value;
}
