namespace FunctionsGateway.Forwarding;

/// <summary>The thread-safe <see cref="Random.Shared"/>.</summary>
internal sealed class SharedRandomSource : IRandomSource
{
    public double NextDouble() => Random.Shared.NextDouble();
}
