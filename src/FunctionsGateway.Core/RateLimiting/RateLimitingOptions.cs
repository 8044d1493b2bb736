namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Rate limiting settings, bound from the configuration section <c>Gateway:RateLimiting</c> (app settings
/// <c>Gateway__RateLimiting__Name</c>) and checked at start by <see cref="RateLimitingOptionsValidator"/>.
/// See docs/rate-limiting.md.
/// </summary>
internal sealed class RateLimitingOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Gateway:RateLimiting";

    /// <summary>
    /// The JWT claim that names a token caller's plan (a route's <c>RateLimitPlans</c>), such as <c>plan</c> or
    /// <c>extension_tier</c>. Unset, JWT callers have no plan: which claim an issuer may be trusted to set is the
    /// operator's decision (a claim a user can edit in their own profile would let them pick their own limits).
    /// </summary>
    /// <value>The default value is null (JWT callers get a route's <c>RateLimit</c>).</value>
    public string? PlanClaim { get; set; }

    /// <summary>How long one call to the <c>RateLimits</c> table on the request path may take before it counts as failed.</summary>
    /// <value>The default value is 500 milliseconds.</value>
    public int StoreTimeoutMilliseconds { get; set; } = 500;

    /// <summary>The share of failed calls within <see cref="BreakerSamplingSeconds"/> that opens the circuit breaker.</summary>
    /// <value>The default value is 0.5.</value>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>The fewest calls within <see cref="BreakerSamplingSeconds"/> before the breaker may open.</summary>
    /// <value>The default value is 5.</value>
    public int BreakerMinimumCalls { get; set; } = 5;

    /// <summary>The window over which the breaker counts failed calls.</summary>
    /// <value>The default value is 10 seconds.</value>
    public int BreakerSamplingSeconds { get; set; } = 10;

    /// <summary>How long an open breaker fails calls at once, without reaching storage, before it tries again.</summary>
    /// <value>The default value is 5 seconds.</value>
    public int BreakerBreakSeconds { get; set; } = 5;
}
