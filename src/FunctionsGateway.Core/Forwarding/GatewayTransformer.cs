using FunctionsGateway.Authentication;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Shapes the request sent to the backend and the response sent back. On top of YARP's copy (which drops
/// hop-by-hop headers): headers the sender nominated in <c>Connection</c> are dropped too (RFC 9110 §7.6.1,
/// which YARP does not do), the path is sent exactly as matched (<see cref="DestinationAddress"/>), and
/// <c>X-Forwarded-*</c> are set by the gateway after all stripping, so a client cannot forge or remove them.
/// </summary>
internal sealed class GatewayTransformer : HttpTransformer
{
    // Nominating these would change how the message is framed or addressed, not just drop metadata.
    private static readonly HashSet<string> NeverNominated = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Transfer-Encoding", "Host", "close", "keep-alive", "upgrade",
    };

    private readonly bool _trustForwardedHeaders;
    private readonly string _apiKeyHeader;

    public GatewayTransformer(IOptions<GatewayOptions> options, IOptions<AuthenticationOptions> authentication)
    {
        _trustForwardedHeaders = options.Value.Forwarding.TrustForwardedHeaders;
        _apiKeyHeader = authentication.Value.ApiKeyHeader;
    }

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);

        RemoveNominated(httpContext.Request.Headers.Connection, proxyRequest.Headers, proxyRequest.Content?.Headers);
        SpoofingHeaders.Remove(proxyRequest.Headers);

        // The backend is addressed by its own name; the client's host travels in X-Forwarded-Host.
        proxyRequest.Headers.Host = null;
        SetForwardedHeaders(httpContext, proxyRequest);

        var feature = httpContext.Features.Get<GatewayRequestFeature>();
        var route = feature?.Route;

        // Client-sent X-Gateway-* never pass; the gateway's identity headers, the API key and (per route) Authorization are settled here.
        IdentityHeaders.Apply(proxyRequest, feature?.Identity ?? GatewayIdentity.Anonymous, route?.Auth ?? AuthPolicy.Anonymous, _apiKeyHeader);
        // The path the route matched, as the client wrote it: never re-encoded or collapsed by Uri after matching.
        proxyRequest.RequestUri = DestinationAddress.Build(destinationPrefix, httpContext.Request, route);
    }

    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (proxyResponse is not null && proxyResponse.Headers.TryGetValues("Connection", out var nominated))
        {
            foreach (var name in Tokens(nominated))
            {
                httpContext.Response.Headers.Remove(name);
            }
        }

        return proceed;
    }

    private static void RemoveNominated(StringValues connection, System.Net.Http.Headers.HttpHeaders headers, System.Net.Http.Headers.HttpHeaders? contentHeaders)
    {
        if (StringValues.IsNullOrEmpty(connection))
        {
            return;
        }

        foreach (var name in Tokens(connection))
        {
            // Remove throws for a name that is not a valid header name or that belongs to the other collection
            // (content-type on the request's headers, accept on the content's); the client chooses the names, and
            // such a header cannot be in that collection anyway. NonValidated.Contains does not throw.
            if (headers.NonValidated.Contains(name))
            {
                headers.Remove(name);
            }

            if (contentHeaders is not null && contentHeaders.NonValidated.Contains(name))
            {
                contentHeaders.Remove(name);
            }
        }
    }

    private static IEnumerable<string> Tokens(IEnumerable<string?> values)
    {
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var token in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!NeverNominated.Contains(token))
                {
                    yield return token;
                }
            }
        }
    }

    private void SetForwardedHeaders(HttpContext context, HttpRequestMessage proxyRequest)
    {
        var headers = proxyRequest.Headers;
        var clientIp = ClientAddress.TextOf(context);
        if (_trustForwardedHeaders)
        {
            var existing = context.Request.Headers["X-Forwarded-For"].ToString();
            var forwardedFor = existing.Length == 0 ? clientIp : clientIp.Length == 0 ? existing : $"{existing}, {clientIp}";
            headers.Remove("X-Forwarded-For");
            if (forwardedFor.Length > 0)
            {
                headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
            }

            // A trusted proxy in front already said what the client used; keep its values.
            if (!headers.Contains("X-Forwarded-Proto"))
            {
                headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
            }

            if (!headers.Contains("X-Forwarded-Host") && context.Request.Host.HasValue)
            {
                headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Host.Value);
            }

            return;
        }

        SpoofingHeaders.RemoveForwarding(headers);

        if (clientIp.Length > 0)
        {
            headers.TryAddWithoutValidation("X-Forwarded-For", clientIp);
        }

        headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
        if (context.Request.Host.HasValue)
        {
            headers.TryAddWithoutValidation("X-Forwarded-Host", context.Request.Host.Value);
        }
    }
}
