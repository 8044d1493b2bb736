namespace FunctionsGateway.RateLimiting;

/// <summary>What a route's requests are counted by (the <c>RateLimitBy</c> column).</summary>
public enum RateLimitKeyKind
{
    /// <summary>The authenticated consumer; an anonymous request is counted by its client address.</summary>
    Consumer,

    /// <summary>The client address.</summary>
    Ip,

    /// <summary>One counter for the whole route.</summary>
    Route,

    /// <summary>The value of a request header.</summary>
    Header,

    /// <summary>The value of a claim of the caller's token.</summary>
    Claim,
}
