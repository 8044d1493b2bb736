using System.Collections.Immutable;
using System.Net.Http.Headers;
using Azure.Data.Tables;
using FunctionsGateway.Authentication;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Turns one <c>Routes</c> row into a <see cref="RouteDefinition"/>, or reports every problem it has.
/// Each row is judged on its own; references to pools are checked later, against the whole snapshot.
/// </summary>
internal static class RouteRowValidator
{
    /// <summary>Longest per-attempt timeout: Azure must start a response within 230 s.</summary>
    public const int MaxTimeoutSeconds = 225;

    /// <summary>The most retries a route may ask for: each one is another backend call within the same deadline.</summary>
    public const int MaxRetries = 5;

    /// <summary>The request deadline when the row does not set one, unless <c>TimeoutSeconds</c> is longer.</summary>
    public const int DefaultRequestTimeoutSeconds = 60;

    private const string DefaultContentType = "text/plain; charset=utf-8";

    /// <summary>Validates the row. Returns null for a disabled or invalid row; the reader holds the problems.</summary>
    /// <param name="row">The row.</param>
    /// <param name="trustedAudiences">The audiences the configured JWT issuers accept; null to leave the <c>Audiences</c> column unchecked against them.</param>
    /// <param name="allowLinkLocalBackends">Whether a <c>Backend</c> at a link-local or cloud metadata address is allowed (<c>Gateway__Forwarding__AllowLinkLocalBackends</c>).</param>
    public static ValidatedRoute? Validate(RowReader row, IReadOnlyList<string>? trustedAudiences = null, bool allowLinkLocalBackends = false)
    {
        row.CheckColumnNames(RouteColumns.Known);

        // In any case: 'ratelimit' must not serve the route unlimited any more than 'RateLimit' would.
        foreach (var column in row.ColumnsSetInAnyCase(RouteColumns.NotYetSupported))
        {
            row.Error(column, "is not supported by this version of the gateway yet, so the route is not served while it is set (ignoring it could expose what it is meant to protect); remove the column or upgrade the gateway");
        }

        if (!row.Bool(RouteColumns.Enabled, defaultValue: true) && !row.HasErrors)
        {
            return null;
        }

        var path = ParsePath(row);
        var methods = ParseMethods(row);
        var hosts = ParseList<HostPattern>(row, RouteColumns.Hosts, "host", "api.contoso.com,*.contoso.com", HostPattern.TryParse);
        var headers = ParseList<HeaderMatch>(row, RouteColumns.MatchHeaders, "header", "x-api-version=2,x-beta", HeaderMatch.TryParse);
        var order = row.Int(RouteColumns.Order, 0, -1_000_000, 1_000_000);
        var timeout = row.Int(RouteColumns.TimeoutSeconds, 30, 1, MaxTimeoutSeconds);
        var requestTimeout = ParseRequestTimeout(row, timeout);
        var (target, inlinePool, fallbackResponse) = ParseTarget(row, allowLinkLocalBackends);
        var fallbackPool = ParseFallbackPool(row, target);
        var rewrite = ParseRewrite(row, path, target);
        var auth = ParseAuth(row, trustedAudiences);
        var rateLimit = RateLimiting.RateLimitPolicyParser.Parse(row);
        var retries = row.Int(RouteColumns.Retries, 2, 0, MaxRetries);
        var faults = Forwarding.FaultInjectionParser.Parse(row, requestTimeout);

        if (row.HasErrors || path is null || target is null)
        {
            return null;
        }

        var route = new RouteDefinition
        {
            Id = row.Row,
            Path = path,
            Methods = methods,
            Hosts = hosts,
            MatchHeaders = headers,
            Order = order,
            Target = target,
            FallbackPool = fallbackPool,
            FallbackResponse = fallbackResponse,
            PathRewrite = rewrite,
            Timeout = TimeSpan.FromSeconds(timeout),
            RequestTimeout = TimeSpan.FromSeconds(requestTimeout),
            Auth = auth,
            RateLimit = rateLimit,
            Retries = retries,
            Faults = faults,
        };
        return new ValidatedRoute(route, inlinePool);
    }

    /// <summary>The name of the one-backend pool made from a route's <c>Backend</c> column; '/' cannot occur in a PartitionKey, so it never collides with a real pool.</summary>
    public static string InlinePoolName(RowId route) => $"route/{route.PartitionKey}/{route.RowKey}";

    /// <summary>The route's <see cref="AuthPolicy"/> from its five auth columns; problems go to <paramref name="row"/>.</summary>
    /// <param name="row">The row.</param>
    /// <param name="trustedAudiences">The audiences the configured JWT issuers accept; null to leave the <c>Audiences</c> column unchecked against them.</param>
    public static AuthPolicy ParseAuth(RowReader row, IReadOnlyList<string>? trustedAudiences = null)
    {
        // A boolean column may be stored as Boolean or String; the reader accepts both and reports anything else.
        var forward = row.Has(RouteColumns.ForwardAuthorization) ? row.Bool(RouteColumns.ForwardAuthorization, false).ToString() : null;
        if (!AuthPolicy.TryParse(row.String(RouteColumns.Auth), row.String(RouteColumns.Scopes), row.String(RouteColumns.Roles), forward,
                row.String(RouteColumns.Audiences), out var policy, out var column, out var error))
        {
            row.Error(column, error);
            return policy;
        }

        if (trustedAudiences is not null)
        {
            CheckAudiencesAreTrusted(row, policy, trustedAudiences);
        }

        return policy;
    }

    // A route audience no issuer accepts would refuse every token, since the issuer's own audience check comes first.
    private static void CheckAudiencesAreTrusted(RowReader row, AuthPolicy policy, IReadOnlyList<string> trustedAudiences)
    {
        foreach (var audience in policy.Audiences)
        {
            if (trustedAudiences.Any(trusted => AudienceMatch.Same(audience, trusted)))
            {
                continue;
            }

            row.Error(RouteColumns.Audiences, trustedAudiences.Count == 0
                ? $"'{audience}' cannot be accepted: no JWT issuer is configured, so every token is refused; configure an issuer (Gateway__Authentication__Issuers__0__Authority) whose Audiences include it, or leave Audiences empty"
                : $"'{audience}' is not among the audiences the configured issuers accept, so the route would refuse every token; add it to an issuer's Audiences setting (Gateway__Authentication__Issuers__N__Audiences__M) or correct it (audiences are case-sensitive)");
        }
    }

    // The deadline bounds the whole wait for the response to start; one shorter than the idle timeout would
    // make TimeoutSeconds meaningless, so it is refused rather than silently lengthened.
    private static int ParseRequestTimeout(RowReader row, int timeout)
    {
        if (!row.Has(RouteColumns.RequestTimeoutSeconds))
        {
            return Math.Max(DefaultRequestTimeoutSeconds, timeout);
        }

        var deadline = row.Int(RouteColumns.RequestTimeoutSeconds, Math.Max(DefaultRequestTimeoutSeconds, timeout), 1, MaxTimeoutSeconds);
        if (deadline < timeout)
        {
            row.Error(RouteColumns.RequestTimeoutSeconds,
                $"{deadline} is shorter than TimeoutSeconds {timeout}; the deadline until the response starts must be at least the backend's idle timeout, so write {timeout} or more, or lower TimeoutSeconds");
        }

        return deadline;
    }

    private static RouteTemplate? ParsePath(RowReader row)
    {
        var text = row.String(RouteColumns.Path);
        if (text is null)
        {
            // Present but not a String has been reported by String() already.
            if (!row.Has(RouteColumns.Path))
            {
                row.Error(RouteColumns.Path, "is required; write the path template the route answers, such as /orders/{id} or /orders/{**rest}");
            }

            return null;
        }

        if (!RouteTemplate.TryParse(text, out var template, out var error))
        {
            row.Error(RouteColumns.Path, error);
            return null;
        }

        var first = template.Segments.Length > 0 && template.Segments[0].Kind == TemplateSegmentKind.Literal ? template.Segments[0].Value : null;
        if (string.Equals(first, "_gateway", StringComparison.OrdinalIgnoreCase))
        {
            row.Error(RouteColumns.Path, $"'{text}' is under /_gateway, which the gateway keeps for its own status listing; choose another path");
            return null;
        }

        if (first is not null && (first.StartsWith("admin", StringComparison.OrdinalIgnoreCase) || first.StartsWith("runtime", StringComparison.OrdinalIgnoreCase)))
        {
            row.Warning(RouteColumns.Path, $"'{text}' starts with '{first}': on Azure Functions the host answers /admin and /runtime paths itself, so this route only works on the DevHost");
        }

        return template;
    }

    private static ImmutableArray<string> ParseMethods(RowReader row)
    {
        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var method in row.List(RouteColumns.Methods, "method", "GET,POST"))
        {
            if (method.Length > 20 || !method.All(char.IsAsciiLetter))
            {
                row.Error(RouteColumns.Methods, $"'{method}' is not an HTTP method; write a comma-separated list such as GET,POST");
                continue;
            }

            var upper = method.ToUpperInvariant();
            if (!builder.Contains(upper))
            {
                builder.Add(upper);
            }
        }

        return builder.ToImmutable();
    }

    private delegate bool TryParser<T>(string text, out T value, out string error);

    private static ImmutableArray<T> ParseList<T>(RowReader row, string column, string kind, string example, TryParser<T> parse)
    {
        var builder = ImmutableArray.CreateBuilder<T>();
        foreach (var item in row.List(column, kind, example))
        {
            if (parse(item, out var value, out var error))
            {
                builder.Add(value);
            }
            else
            {
                row.Error(column, error);
            }
        }

        return builder.ToImmutable();
    }

    private static (RouteTarget? Target, PoolDefinition? InlinePool, StaticResponseTarget? FallbackResponse) ParseTarget(RowReader row, bool allowLinkLocalBackends)
    {
        var hasBackend = row.Has(RouteColumns.Backend);
        var hasPool = row.Has(RouteColumns.Pool);
        var hasResponse = row.Has(RouteColumns.ResponseStatus) || row.Has(RouteColumns.ResponseBody) || row.Has(RouteColumns.ResponseContentType);
        if (hasBackend && hasPool)
        {
            row.Error(RouteColumns.Backend, hasResponse
                ? "sets Backend and Pool and Response*; set exactly one of Backend, Pool or ResponseStatus/ResponseBody (ResponseStatus/ResponseBody beside Backend or Pool is the answer when no backend can take the request)"
                : "sets Backend and Pool; set exactly one of Backend, Pool or ResponseStatus/ResponseBody (ResponseStatus/ResponseBody beside Backend or Pool is the answer when no backend can take the request)");
            return (null, null, null);
        }

        if (!hasBackend && !hasPool && !hasResponse)
        {
            row.Error(null, "says neither where to forward nor what to answer; set exactly one of Backend (a URL), Pool (a pool in Backends) or ResponseStatus/ResponseBody (a static response)");
            return (null, null, null);
        }

        // Beside Backend or Pool, Response* is the route's last fallback (docs/health.md); alone, it is the route's answer.
        var response = hasResponse ? ParseResponse(row) : null;
        if (hasBackend)
        {
            // Null here means stored as another type than String, which String() has reported.
            if (row.String(RouteColumns.Backend) is not { } text)
            {
                return (null, null, null);
            }

            if (!BackendUrl.TryParse(text, out var url, out var error, allowLinkLocalBackends))
            {
                row.Error(RouteColumns.Backend, error);
                return (null, null, null);
            }

            var poolName = InlinePoolName(row.Row);
            var backend = new BackendDefinition { Id = row.Row, Url = url, HealthPath = null };
            return (new PoolTarget(poolName), new PoolDefinition(poolName, [backend]), response);
        }

        if (hasPool)
        {
            var pool = row.String(RouteColumns.Pool);
            return pool is null ? (null, null, null) : (new PoolTarget(pool), null, response);
        }

        return (response, null, null);
    }

    private static StaticResponseTarget ParseResponse(RowReader row)
    {
        // 1xx are interim responses, never a final answer; Kestrel cannot complete a request with one.
        var status = row.Int(RouteColumns.ResponseStatus, 200, 200, 599);
        var body = row.String(RouteColumns.ResponseBody) ?? string.Empty;
        if (body.Length > 0 && status is 204 or 205 or 304)
        {
            // Kestrel throws on writing a body for these statuses, on every request.
            row.Error(RouteColumns.ResponseBody, $"cannot be sent with ResponseStatus {status}, which never has a body; remove ResponseBody or choose another status, such as 200 or 503");
        }

        var contentType = row.String(RouteColumns.ResponseContentType) ?? DefaultContentType;
        if (!MediaTypeHeaderValue.TryParse(contentType, out _))
        {
            row.Error(RouteColumns.ResponseContentType, $"'{contentType}' is not a content type; write one such as application/json or text/plain; charset=utf-8");
        }

        return new StaticResponseTarget(status, body, contentType);
    }

    // Whether the pool exists is checked against the whole snapshot (GatewaySnapshotBuilder); here only what the row alone shows.
    private static string? ParseFallbackPool(RowReader row, RouteTarget? target)
    {
        var name = row.String(RouteColumns.FallbackPool);
        if (name is null)
        {
            return null;
        }

        if (target is StaticResponseTarget)
        {
            row.Error(RouteColumns.FallbackPool, "applies only to routes that forward (Backend or Pool); remove it from this static-response route");
            return null;
        }

        if (target is PoolTarget own && string.Equals(own.PoolName, name, StringComparison.Ordinal))
        {
            row.Error(RouteColumns.FallbackPool, $"names the route's own pool '{name}'; name another pool, which serves when no backend of '{name}' can take the request");
            return null;
        }

        return name;
    }

    private static RouteTemplate? ParseRewrite(RowReader row, RouteTemplate? path, RouteTarget? target)
    {
        var text = row.String(RouteColumns.PathRewrite);
        if (text is null)
        {
            return null;
        }

        if (!RouteTemplate.TryParse(text, out var rewrite, out var error))
        {
            row.Error(RouteColumns.PathRewrite, error);
            return null;
        }

        if (target is StaticResponseTarget)
        {
            row.Error(RouteColumns.PathRewrite, "applies only to routes that forward (Backend or Pool); remove it from this static-response route");
            return null;
        }

        if (path is not null)
        {
            var known = path.ParameterNames.ToHashSet(StringComparer.OrdinalIgnoreCase);
            var unknown = rewrite.ParameterNames.Where(n => !known.Contains(n)).ToList();
            if (unknown.Count > 0)
            {
                row.Error(RouteColumns.PathRewrite, $"'{text}' uses {string.Join(", ", unknown.Select(n => $"{{{n}}}"))}, which Path '{path.Text}' does not define; use only parameters of Path");
                return null;
            }

            // A catch-all may hold slashes, so it can only be placed as the rewrite's own catch-all.
            var catchAlls = path.Segments.Where(s => s.Kind == TemplateSegmentKind.CatchAll).Select(s => s.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var misused = rewrite.Segments.FirstOrDefault(s => s.Kind == TemplateSegmentKind.Parameter && catchAlls.Contains(s.Value));
            if (misused is not null)
            {
                row.Error(RouteColumns.PathRewrite, $"'{text}' uses the catch-all {{{misused.Value}}} of Path as a single segment; write it as {{**{misused.Value}}} at the end");
                return null;
            }
        }

        return rewrite;
    }
}
