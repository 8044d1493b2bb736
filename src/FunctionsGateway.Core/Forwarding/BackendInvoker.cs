using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// The one pooled connection handler every forwarded request goes through. A proxy must pass responses on
/// as they are, so: no redirects, no cookies, no decompression, no system proxy; an explicit connect timeout;
/// and a trace-context propagator that replaces the client's <c>traceparent</c> with the gateway's own span.
/// Connections go through <see cref="BackendConnectGuard"/>, which refuses metadata, link-local and the gateway's own addresses.
/// </summary>
internal sealed class BackendInvoker : IDisposable
{
    public BackendInvoker(IOptions<GatewayOptions> options, ILogger<BackendInvoker>? logger = null, IServer? server = null)
    {
        var forwarding = options.Value.Forwarding;
        var guard = new BackendConnectGuard(forwarding.AllowLinkLocalBackends, forwarding.AllowSelfForwarding, server,
            logger ?? (ILogger)NullLogger.Instance);
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(forwarding.ConnectTimeoutSeconds),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(forwarding.PooledConnectionIdleTimeoutSeconds),
            PooledConnectionLifetime = TimeSpan.FromSeconds(forwarding.PooledConnectionLifetimeSeconds),
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            ConnectCallback = guard.ConnectAsync,
        };
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
