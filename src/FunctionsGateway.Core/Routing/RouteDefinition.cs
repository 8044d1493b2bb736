using System.Collections.Immutable;
using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Routing;

/// <summary>A validated, immutable route, built from one row of the <c>Routes</c> table.</summary>
public sealed record RouteDefinition
{
    /// <summary>The row it came from.</summary>
    public required RowId Id { get; init; }

    /// <summary>The path template requests must match.</summary>
    public required RouteTemplate Path { get; init; }

    /// <summary>Allowed methods in upper case; empty means any method.</summary>
    public ImmutableArray<string> Methods { get; init; } = [];

    /// <summary>Allowed hosts; empty means any host.</summary>
    public ImmutableArray<HostPattern> Hosts { get; init; } = [];

    /// <summary>Header conditions that must all hold.</summary>
    public ImmutableArray<HeaderMatch> MatchHeaders { get; init; } = [];

    /// <summary>Lower wins among equally specific matches. The default value is 0.</summary>
    public int Order { get; init; }

    /// <summary>Who may call the route: the <c>Auth</c>, <c>Scopes</c>, <c>Roles</c> and <c>ForwardAuthorization</c> columns. The default value is anonymous.</summary>
    public AuthPolicy Auth { get; init; } = AuthPolicy.Anonymous;

    /// <summary>The route's rate limits (<c>RateLimit*</c> columns, docs/rate-limiting.md); null when the route is not limited.</summary>
    internal RateLimiting.RateLimitPolicy? RateLimit { get; init; }

    /// <summary>Where matched requests go.</summary>
    public required RouteTarget Target { get; init; }

    /// <summary>The pool that serves when the route's own pool has no eligible backend (<c>FallbackPool</c>); null for none.</summary>
    public string? FallbackPool { get; init; }

    /// <summary>The static answer when neither the pool nor the fallback pool has an eligible backend (<c>Response*</c> beside <c>Pool</c> or <c>Backend</c>); null for none.</summary>
    public StaticResponseTarget? FallbackResponse { get; init; }

    /// <summary>The template of the path sent to the backend; null forwards the request path unchanged.</summary>
    public RouteTemplate? PathRewrite { get; init; }

    /// <summary>How long one attempt may wait for the backend between two reads or writes. The default value is 30 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The deadline from the request's arrival until the response starts (reading the client's body included);
    /// a streaming response that has started is not cut by it. The default value is 60 seconds, or
    /// <see cref="Timeout"/> when that is longer.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries for idempotent requests (<c>Retries</c> column, 0 disables). The default value is 2.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>The faults injected into the route's requests (<c>Fault*</c> columns); null when none are (the default).</summary>
    internal Forwarding.FaultInjection? Faults { get; init; }
}
