using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

// The yardstick (docs/benchmarks.md, Targets): a bare YARP proxy with one catch-all route to one destination, static
// in-memory config, on the same slim Kestrel host as the DevHost, so the difference is the gateway's own work.
// The destination comes from --destination URL or the YARP_DESTINATION environment variable.
// --mode forwarder skips YARP's routing and middleware and calls IHttpForwarder directly, as the gateway does:
// the floor under any proxy built on YARP's forwarder.
var builder = WebApplication.CreateSlimBuilder(args);
var destination = builder.Configuration["destination"] ?? Environment.GetEnvironmentVariable("YARP_DESTINATION")
    ?? throw new ArgumentException("Give the backend: --destination http://127.0.0.1:PORT (or YARP_DESTINATION).");
var forwarderOnly = string.Equals(builder.Configuration["mode"], "forwarder", StringComparison.OrdinalIgnoreCase);

builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
if (forwarderOnly)
{
    builder.Services.AddHttpForwarder();
}
else
{
    builder.Services.AddReverseProxy().LoadFromMemory(
        [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "/{**catch-all}" } }],
        [new ClusterConfig
        {
            ClusterId = "backend",
            Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["b1"] = new DestinationConfig { Address = destination } },
        }]);
}

var app = builder.Build();
if (forwarderOnly)
{
    // The same handler settings YARP's own client factory uses.
    using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    });
    var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
    // The ValueTask is backed by the async method's own Task, so AsTask allocates nothing.
    Task Forward(HttpContext context) => forwarder.SendAsync(context, destination, invoker).AsTask();
    app.Run(Forward);
    app.Run();
}
else
{
    app.MapReverseProxy();
    app.Run();
}
