using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Forwarding;

/// <summary>Chooses the backend a retry goes to.</summary>
internal interface IRetryBackendSource
{
    /// <summary>
    /// The backend for the next attempt of the request: another backend of its pool than those in <paramref name="tried"/>
    /// when the pool has one that can take traffic, else the last one tried; null when the route's pool is gone.
    /// </summary>
    /// <param name="feature">The request (its snapshot and route).</param>
    /// <param name="tried">The backends already tried, in order; never empty.</param>
    BackendDefinition? Next(GatewayRequestFeature feature, IReadOnlyList<BackendDefinition> tried);
}
