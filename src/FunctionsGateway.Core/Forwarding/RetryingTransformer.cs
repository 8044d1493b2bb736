using FunctionsGateway.Pipeline;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Sees the backend's answer before any of it reaches the client: notes a <c>Retry-After</c> on a 503 or 429, and holds
/// back a 502, 503 or 504 when <see cref="RetryDecider"/> decides to retry (YARP then discards its body and sends nothing;
/// the deadline keeps running). Any other answer, or one that is not retried, goes to the client as it is.
/// </summary>
internal sealed class RetryingTransformer(HttpTransformer inner, RetryDecider decider, BackendCircuitBreakers breakers, TimeProvider time) : HttpTransformer
{
    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken) =>
        inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null && (int)proxyResponse.StatusCode is 429 or 502 or 503 or 504
            && httpContext.Features.Get<GatewayRequestFeature>() is { Backend: { } backend } feature)
        {
            var status = (int)proxyResponse.StatusCode;
            if (status is 429 or 503 && RetryAfter(proxyResponse) is { } delay)
            {
                breakers.RetryAfter(backend, delay);
            }

            if (status != 429 && decider.TryRetry(httpContext, feature, backend, AttemptKind.Held, status))
            {
                feature.Retry!.HeldStatus = status;
                return new ValueTask<bool>(false);
            }
        }

        return inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        inner.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        var delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - time.GetUtcNow() : null);
        return delay > TimeSpan.Zero ? delay : null;
    }
}
