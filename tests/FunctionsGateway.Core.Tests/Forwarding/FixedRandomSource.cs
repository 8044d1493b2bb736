using FunctionsGateway.Forwarding;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>Hands out the given numbers in turn, repeating the last: selection tests say exactly which draw picks what.</summary>
internal sealed class FixedRandomSource(params double[] rolls) : IRandomSource
{
    private int _next;

    public int Draws => _next;

    public double NextDouble() => rolls[Math.Min(_next++, rolls.Length - 1)];
}
