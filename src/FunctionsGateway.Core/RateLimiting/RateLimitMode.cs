namespace FunctionsGateway.RateLimiting;

/// <summary>How counts are shared between gateway instances (the <c>RateLimitMode</c> column).</summary>
public enum RateLimitMode
{
    /// <summary>Instances claim leases of tokens from a shared counter row and admit from them locally.</summary>
    Leased,

    /// <summary>One conditional update of the shared counter row per request.</summary>
    Exact,

    /// <summary>Each instance counts in memory on its own; no storage.</summary>
    Local,
}
