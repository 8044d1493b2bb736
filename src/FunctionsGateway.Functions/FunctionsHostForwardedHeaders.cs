using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsGateway.Functions;

/// <summary>
/// Which <c>X-Forwarded-*</c> headers the worker believes, and from whom. On Azure Functions the worker's Kestrel is
/// reached only by the Functions host, over loopback: the host forwards each request with YARP's default transforms,
/// which <b>set</b> <c>X-Forwarded-For</c> (the client as the host sees it, the address the platform's front end
/// reports), <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c> (the <c>Host</c> the client sent), replacing what
/// the client sent, and send the worker's own address as <c>Host</c>. The worker's ASP.NET Core integration
/// (<c>ConfigureFunctionsWebApplication</c>) runs <c>UseForwardedHeaders</c> first, with options it registers
/// (<c>ForwardedHeaders.All</c> in 2.1.1; other versions of its source set <c>ForwardLimit = null</c>). This pins them,
/// after every other configuration, to what is safe whatever the extension's defaults become:
/// <list type="bullet">
/// <item>only a loopback peer (the host) is believed, and only its last hop (<c>ForwardLimit</c> 1): the last
/// <c>X-Forwarded-For</c> entry becomes <c>RemoteIpAddress</c>, so <see cref="Pipeline.ClientAddress"/> is the real
/// client for the access log, <c>RateLimitBy ip</c>, anonymous <c>consumer</c> limits, the failed-authentication throttle
/// and <c>X-Forwarded-For</c> to backends; entries a client wrote in front of it are ignored;</item>
/// <item><c>X-Forwarded-Host</c> is believed the same way, because without it every request's <c>Host</c> would be the
/// worker's loopback address and no route with <c>Hosts</c> could match; a client-sent value in front is ignored;</item>
/// <item><c>X-Forwarded-Proto</c> likewise (the scheme the host reports, passed on to backends);</item>
/// <item><c>X-Forwarded-Prefix</c> is not believed: routes match the path the client sent, and a path base taken from
/// a header would change what <c>Request.Path</c> says.</item>
/// </list>
/// A proxy in front of the app (Azure Front Door, Application Gateway) is one more hop that this does not trust: the
/// client address is then that proxy's.
/// </summary>
internal static class FunctionsHostForwardedHeaders
{
    /// <summary>Pins <see cref="ForwardedHeadersOptions"/> with <see cref="Apply"/>, after the worker's own configuration.</summary>
    public static IServiceCollection TrustOnlyTheFunctionsHost(this IServiceCollection services) =>
        services.PostConfigure<ForwardedHeadersOptions>(Apply);

    /// <summary>Believe X-Forwarded-For, -Host and -Proto from a loopback peer only, one hop deep.</summary>
    public static void Apply(ForwardedHeadersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedProto;
        options.ForwardLimit = 1;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        options.KnownIPNetworks.Add(new System.Net.IPNetwork(IPAddress.Loopback, 8));
        options.KnownProxies.Add(IPAddress.IPv6Loopback);
        options.AllowedHosts.Clear();
        options.RequireHeaderSymmetry = false;
    }
}
