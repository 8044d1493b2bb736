using FunctionsGateway.Authentication;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// The key a request is counted by, from the route's <c>RateLimitBy</c>: the consumer (an anonymous request is
/// counted by its client address), the client address, the route (one key), a request header's value or a claim
/// of the caller's token. A request without the header or claim shares one key with every other such request.
/// </summary>
internal static class RateLimitKeyResolver
{
    public static string Resolve(RateLimitKeySource source, GatewayIdentity identity, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(context);
        return source.Kind switch
        {
            RateLimitKeyKind.Consumer => identity.RateLimitKey ?? Address(context),
            RateLimitKeyKind.Ip => Address(context),
            RateLimitKeyKind.Route => "route",
            RateLimitKeyKind.Header => context.Request.Headers.TryGetValue(source.Name!, out var values) && values.Count > 0
                ? "header:" + string.Join(',', values.ToArray())
                : "header-absent",
            RateLimitKeyKind.Claim => identity.TryGetClaim(source.Name!, out var claim) ? "claim:" + claim : "claim-absent",
            _ => throw new ArgumentOutOfRangeException(nameof(source), source.Kind, "Unknown key kind."),
        };
    }

    private static string Address(HttpContext context) =>
        Pipeline.ClientAddress.Of(context) is { } address ? "ip:" + address : "ip:unknown";
}
