namespace FunctionsGateway.Configuration;

/// <summary>
/// The tables a route set holds, by the names a route-set file uses for them; the tables in storage are the ones the
/// settings name (<c>Gateway__Tables__Routes</c>, <c>Gateway__Tables__Backends</c>). Rate-limit plans are not a table
/// of their own: they are the <c>RateLimitPlans</c> column of route rows.
/// </summary>
internal enum RouteSetTable
{
    /// <summary>The Routes table.</summary>
    Routes,

    /// <summary>The Backends table.</summary>
    Backends,
}
