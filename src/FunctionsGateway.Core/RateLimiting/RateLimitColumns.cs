namespace FunctionsGateway.RateLimiting;

/// <summary>The <c>Routes</c> columns that set a route's rate limit (docs/rate-limiting.md).</summary>
internal static class RateLimitColumns
{
    public const string RateLimit = "RateLimit";
    public const string RateLimitBy = "RateLimitBy";
    public const string RateLimitMode = "RateLimitMode";
    public const string RateLimitFailure = "RateLimitFailure";
    public const string RateLimitPlans = "RateLimitPlans";

    /// <summary>Every rate limit column.</summary>
    public static readonly IReadOnlyList<string> All = [RateLimit, RateLimitBy, RateLimitMode, RateLimitFailure, RateLimitPlans];
}
