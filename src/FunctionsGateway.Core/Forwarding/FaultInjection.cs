namespace FunctionsGateway.Forwarding;

/// <summary>
/// Faults a route injects into its own requests (the <c>Fault*</c> columns), for chaos tests of the clients and
/// services behind the gateway: a share of requests answered with an error instead of being forwarded, a share delayed.
/// </summary>
/// <param name="AbortPercent">The share of requests (0–100) answered with <paramref name="AbortStatus"/> instead of being forwarded.</param>
/// <param name="AbortStatus">The status of an injected abort (400–599).</param>
/// <param name="DelayPercent">The share of requests (0–100) delayed by <paramref name="Delay"/> before they are forwarded.</param>
/// <param name="Delay">The injected delay; it counts against the route's deadline.</param>
internal sealed record FaultInjection(int AbortPercent, int AbortStatus, int DelayPercent, TimeSpan Delay);
