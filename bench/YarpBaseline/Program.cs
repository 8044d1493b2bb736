using Yarp.ReverseProxy.Configuration;

// The yardstick (DESIGN.md §6): a bare YARP proxy with one catch-all route to one destination, static
// in-memory config, on the same slim Kestrel host as the DevHost, so the difference is the gateway's own work.
// The destination comes from --destination URL or the YARP_DESTINATION environment variable.
var builder = WebApplication.CreateSlimBuilder(args);
var destination = builder.Configuration["destination"] ?? Environment.GetEnvironmentVariable("YARP_DESTINATION")
    ?? throw new ArgumentException("Give the backend: --destination http://127.0.0.1:PORT (or YARP_DESTINATION).");

builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "/{**catch-all}" } }],
    [new ClusterConfig
    {
        ClusterId = "backend",
        Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["b1"] = new DestinationConfig { Address = destination } },
    }]);

var app = builder.Build();
app.MapReverseProxy();
app.Run();
