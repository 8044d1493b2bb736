using FunctionsGateway.Pipeline;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Wraps the gateway's transformer to stop the request deadline once the backend's response headers arrive:
/// from then on the response is streaming to the client, and only the idle timeout (<c>TimeoutSeconds</c>)
/// applies, so a long download is never cut by the deadline.
/// </summary>
internal sealed class DeadlineTransformer(HttpTransformer inner) : HttpTransformer
{
    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken) =>
        inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null && httpContext.Features.Get<GatewayRequestFeature>()?.Deadline is { } deadline)
        {
            RequestDeadlines.Disarm(deadline);
        }

        return inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

    public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
        inner.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
}
