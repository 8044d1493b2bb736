using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace FunctionsGateway.DevHost;

/// <summary>
/// Kestrel's limits on the DevHost, so a hostile client cannot hold connections open or send unbounded headers.
/// Each is set here and can be overridden through the standard <c>Kestrel:Limits:*</c> configuration
/// (appsettings, <c>Kestrel__Limits__KeepAliveTimeout=00:01:00</c>, <c>--Kestrel:Limits:MaxRequestHeaderCount=50</c>).
/// On Azure Functions the host and its front end enforce their own limits instead (docs/architecture.md).
/// </summary>
internal static class DevHostKestrelLimits
{
    /// <summary>The configuration section read.</summary>
    public const string Section = "Kestrel:Limits";

    /// <summary>Open connections at once; more are refused. The default value is 1000.</summary>
    public const long MaxConcurrentConnections = 1000;

    /// <summary>All request headers together, in bytes; more gets 431. The default value is 32768 (32 KiB).</summary>
    public const int MaxRequestHeadersTotalSize = 32 * 1024;

    /// <summary>Request headers; more gets 431. The default value is 100.</summary>
    public const int MaxRequestHeaderCount = 100;

    /// <summary>The request line (method, target, version), in bytes; longer gets 414. The default value is 8192 (8 KiB).</summary>
    public const int MaxRequestLineSize = 8 * 1024;

    /// <summary>Time to receive a request's headers; a client slower than that is disconnected. The default value is 10 seconds.</summary>
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long an idle keep-alive connection is kept. The default value is 60 seconds.</summary>
    public static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Slowest accepted request body upload, in bytes per second. The default value is 240.</summary>
    public const double MinRequestBodyBytesPerSecond = 240;

    /// <summary>How long an upload may be slower than <see cref="MinRequestBodyBytesPerSecond"/> before it is cut. The default value is 5 seconds.</summary>
    public static readonly TimeSpan MinRequestBodyGracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>Sets the limits from the defaults above and any <c>Kestrel:Limits:*</c> values in <paramref name="configuration"/>.</summary>
    public static void Apply(KestrelServerLimits limits, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        limits.MaxConcurrentConnections = section.GetValue(nameof(KestrelServerLimits.MaxConcurrentConnections), MaxConcurrentConnections);
        limits.MaxRequestHeadersTotalSize = section.GetValue(nameof(KestrelServerLimits.MaxRequestHeadersTotalSize), MaxRequestHeadersTotalSize);
        limits.MaxRequestHeaderCount = section.GetValue(nameof(KestrelServerLimits.MaxRequestHeaderCount), MaxRequestHeaderCount);
        limits.MaxRequestLineSize = section.GetValue(nameof(KestrelServerLimits.MaxRequestLineSize), MaxRequestLineSize);
        limits.RequestHeadersTimeout = section.GetValue(nameof(KestrelServerLimits.RequestHeadersTimeout), RequestHeadersTimeout);
        limits.KeepAliveTimeout = section.GetValue(nameof(KestrelServerLimits.KeepAliveTimeout), KeepAliveTimeout);
        var rate = section.GetSection(nameof(KestrelServerLimits.MinRequestBodyDataRate));
        limits.MinRequestBodyDataRate = new MinDataRate(
            rate.GetValue(nameof(MinDataRate.BytesPerSecond), MinRequestBodyBytesPerSecond),
            rate.GetValue(nameof(MinDataRate.GracePeriod), MinRequestBodyGracePeriod));
    }
}
