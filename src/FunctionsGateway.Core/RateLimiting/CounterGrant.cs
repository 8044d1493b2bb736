namespace FunctionsGateway.RateLimiting;

/// <summary>The outcome of one claim on a window's counter.</summary>
/// <param name="Window">The window number the tokens belong to; they expire with it.</param>
/// <param name="Granted">Tokens granted, 0 when the window is full.</param>
/// <param name="Remaining">Tokens the sliding estimate still allows after this grant.</param>
/// <param name="WindowEnds">When the window ends.</param>
/// <param name="ResetAfter">Time until the window ends, from the claim.</param>
/// <param name="RetryAfter">When nothing was granted: time until the estimate allows a token again.</param>
/// <param name="Saturated">The window could not give all that was asked: it is full, or this grant emptied it.</param>
internal readonly record struct CounterGrant(long Window, long Granted, long Remaining, DateTimeOffset WindowEnds, TimeSpan ResetAfter, TimeSpan RetryAfter, bool Saturated);
