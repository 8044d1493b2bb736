using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.HostEmulator.Tests.Emulator;

/// <summary>
/// What the host changes on a request it proxies to the worker's ASP.NET Core integration: the
/// <c>x-ms-invocation-id</c> header that pairs it with its InvocationRequest, and YARP's forwarded headers
/// <b>set</b> (replacing whatever the client sent) to the client as the host sees it, the scheme and the Host the
/// client asked for. The Host header itself becomes the worker's address.
/// </summary>
internal sealed class FunctionsHostTransformer(string invocationId) : HttpTransformer
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        Set(proxyRequest, InvocationIdHeader, invocationId);
        Set(proxyRequest, "X-Forwarded-For", httpContext.Connection.RemoteIpAddress!.ToString());
        Set(proxyRequest, "X-Forwarded-Proto", httpContext.Request.Scheme);
        Set(proxyRequest, "X-Forwarded-Host", httpContext.Request.Host.Value!);
    }

    private static void Set(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }
}
