using FunctionsGateway.Authentication;
using FunctionsGateway.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>
/// Applies the matched route's rate limits (<c>RateLimit*</c> columns, docs/rate-limiting.md) to the authenticated
/// caller: an admitted request goes on carrying the <c>RateLimit-Policy</c> and <c>RateLimit</c> headers; a refused one
/// is answered 429 with <c>Retry-After</c>, or 503 when the counters cannot be reached and the route fails closed.
/// Routes without limits pass straight through, without awaiting anything.
/// </summary>
internal sealed class RateLimitStep(GatewayRateLimiter limiter) : IGatewayStep
{
    public ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature)
    {
        var route = feature.MatchedRoute;
        return route.RateLimit is { } policy
            ? CheckAsync(context, feature, route.Id.Key, policy)
            : GatewayStepResult.Continue;
    }

    private async ValueTask<GatewayStepResult> CheckAsync(HttpContext context, GatewayRequestFeature feature, string routeId, RateLimitPolicy policy)
    {
        var decision = await limiter.CheckAsync(context, routeId, policy, feature.Identity ?? GatewayIdentity.Anonymous, context.RequestAborted).ConfigureAwait(false);
        if (decision.Admitted)
        {
            // Set before forwarding: the backend's own headers are added to these, so clients see both. A caller
            // whose plan is not limited on the route gets none.
            if (decision.PolicyHeader.Length > 0)
            {
                context.Response.Headers[RateLimitHeaders.PolicyHeader] = decision.PolicyHeader;
                context.Response.Headers[RateLimitHeaders.StateHeader] = decision.StateHeader;
            }

            return GatewayStepResult.Continue;
        }

        var error = decision.StoreUnavailable ? GatewayError.RateLimitUnavailable : GatewayError.TooManyRequests;
        return GatewayStepResult.Fail(error
            .WithHeader("Retry-After", decision.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithHeader(RateLimitHeaders.PolicyHeader, decision.PolicyHeader)
            .WithHeader(RateLimitHeaders.StateHeader, decision.StateHeader));
    }
}
