namespace FunctionsGateway.RateLimiting;

/// <summary>One window's counter row as read: the tokens granted in it, its ETag and the id of its last writer.</summary>
/// <param name="Granted">Tokens granted in the window by every instance together.</param>
/// <param name="ETag">The row's version, for a conditional update.</param>
/// <param name="Writer">The id of the write attempt that last changed the row.</param>
internal sealed record RateLimitCounter(long Granted, string ETag, string Writer);
