using FunctionsGateway.Configuration;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Core.Tests.Pipeline.Steps;

/// <summary>Requests and features for step tests: a snapshot with the given routes and pools, as the handler hands a step.</summary>
internal static class StepTestContext
{
    public static DefaultHttpContext Request(string method, string path) =>
        new() { Request = { Method = method, Path = path, Host = new HostString("gateway.test"), Scheme = "https" } };

    public static GatewayRequestFeature Feature(IEnumerable<RouteDefinition> routes, params PoolDefinition[] pools) =>
        Feature(routes, startedAt: 0, pools);

    /// <param name="routes">The snapshot's routes.</param>
    /// <param name="startedAt">When the request arrived (<see cref="TimeProvider.GetTimestamp"/>): the route's deadline counts from here.</param>
    /// <param name="pools">The snapshot's pools.</param>
    public static GatewayRequestFeature Feature(IEnumerable<RouteDefinition> routes, long startedAt, params PoolDefinition[] pools) =>
        new(new GatewaySnapshot(
            new Dictionary<RowId, ValidatedRoute>(),
            new Dictionary<RowId, BackendDefinition>(),
            pools.ToDictionary(pool => pool.Name, StringComparer.Ordinal),
            [],
            DateTimeOffset.MinValue,
            new RouteMatcher(routes))) { StartedAt = startedAt };

    public static GatewayRequestFeature FeatureFor(RouteDefinition route, params PoolDefinition[] pools) => FeatureFor(route, 0, pools);

    public static GatewayRequestFeature FeatureFor(RouteDefinition route, long startedAt, params PoolDefinition[] pools)
    {
        var feature = Feature([route], startedAt, pools);
        feature.Route = route;
        return feature;
    }

    public static PoolDefinition Pool(string name, params string[] backendKeys) =>
        new(name, [.. backendKeys.Select(Backend)]);

    public static BackendDefinition Backend(string key) =>
        new() { Id = new RowId("Backends", "orders", key), Url = new Uri($"http://{key}.test/") };

}
