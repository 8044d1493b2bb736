namespace FunctionsGateway.RateLimiting;

/// <summary>One limit's state after a request, as the <c>RateLimit</c> header reports it.</summary>
/// <param name="Remaining">Tokens the window's estimate still allows.</param>
/// <param name="ResetAfter">Time until the window ends.</param>
internal readonly record struct RateLimitWindowState(long Remaining, TimeSpan ResetAfter);
