namespace FunctionsGateway.Configuration;

/// <summary>The column names of the <c>Routes</c> table (docs/routes.md): a contract with operators.</summary>
internal static class RouteColumns
{
    public const string Path = "Path";
    public const string Methods = "Methods";
    public const string Hosts = "Hosts";
    public const string MatchHeaders = "MatchHeaders";
    public const string Order = "Order";
    public const string Backend = "Backend";
    public const string Pool = "Pool";
    public const string FallbackPool = "FallbackPool";
    public const string PathRewrite = "PathRewrite";
    public const string TimeoutSeconds = "TimeoutSeconds";
    public const string RequestTimeoutSeconds = "RequestTimeoutSeconds";
    public const string ResponseStatus = "ResponseStatus";
    public const string ResponseBody = "ResponseBody";
    public const string ResponseContentType = "ResponseContentType";
    public const string Enabled = "Enabled";
    public const string Auth = "Auth";
    public const string Scopes = "Scopes";
    public const string Roles = "Roles";
    public const string ForwardAuthorization = "ForwardAuthorization";
    public const string Audiences = "Audiences";
    public const string RateLimit = RateLimiting.RateLimitColumns.RateLimit;
    public const string RateLimitBy = RateLimiting.RateLimitColumns.RateLimitBy;
    public const string RateLimitMode = RateLimiting.RateLimitColumns.RateLimitMode;
    public const string RateLimitFailure = RateLimiting.RateLimitColumns.RateLimitFailure;
    public const string RateLimitPlans = RateLimiting.RateLimitColumns.RateLimitPlans;
    public const string Retries = "Retries";
    public const string FaultAbortPercent = "FaultAbortPercent";
    public const string FaultAbortStatus = "FaultAbortStatus";
    public const string FaultDelayPercent = "FaultDelayPercent";
    public const string FaultDelayMs = "FaultDelayMs";

    /// <summary>Columns this version reads.</summary>
    public static readonly IReadOnlySet<string> Supported = new HashSet<string>(StringComparer.Ordinal)
    {
        Path, Methods, Hosts, MatchHeaders, Order, Backend, Pool, FallbackPool, PathRewrite, TimeoutSeconds, RequestTimeoutSeconds,
        ResponseStatus, ResponseBody, ResponseContentType, Enabled, Auth, Scopes, Roles, ForwardAuthorization,
        Audiences, RateLimit, RateLimitBy, RateLimitMode, RateLimitFailure, RateLimitPlans,
        Retries, FaultAbortPercent, FaultAbortStatus, FaultDelayPercent, FaultDelayMs,
    };

    /// <summary>
    /// Columns of the schema whose feature this version does not have yet. A row that sets one is not served:
    /// silently ignoring <c>Auth</c> or <c>RateLimit</c> would expose a route the operator meant to protect.
    /// </summary>
    public static readonly IReadOnlySet<string> NotYetSupported = new HashSet<string>(StringComparer.Ordinal)
    {
        "CanaryPool", "CanaryPercent",
    };

    /// <summary>Every column an operator may legitimately write, supported or not.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(Supported.Concat(NotYetSupported), StringComparer.Ordinal);
}
