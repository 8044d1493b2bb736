namespace FunctionsGateway.OperatorConsole;

/// <summary>A route's last minute as the console shows it.</summary>
/// <param name="Requests">Requests completed.</param>
/// <param name="Errors">Of those, answered 5xx.</param>
/// <param name="Limited">Of those, refused by the route's rate limit.</param>
/// <param name="P50Ms">The median latency in milliseconds, or null without requests.</param>
/// <param name="P95Ms">The 95th percentile latency in milliseconds, or null without requests.</param>
/// <param name="PerSecond">Requests per second, oldest first, the last entry the current second.</param>
/// <param name="TopConsumers">The busiest callers, busiest first.</param>
internal sealed record RouteTrafficSummary(
    long Requests, long Errors, long Limited, double? P50Ms, double? P95Ms, long[] PerSecond, IReadOnlyList<ConsumerCount> TopConsumers);
