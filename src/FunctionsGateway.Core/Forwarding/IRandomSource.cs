namespace FunctionsGateway.Forwarding;

/// <summary>Where backend selection gets its randomness; tests pass fixed numbers so every choice is exact.</summary>
internal interface IRandomSource
{
    /// <summary>A uniform random number in [0, 1).</summary>
    double NextDouble();
}
