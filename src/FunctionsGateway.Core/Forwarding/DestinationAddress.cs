using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// The address a request is forwarded to: the backend's base address, the path the route matched (rewritten by the
/// route's <c>PathRewrite</c>) as the client wrote it, and the query string as sent.
/// </summary>
/// <remarks>
/// Why not YARP's default (<c>RequestUtilities.MakeDestinationAddress</c> over <see cref="HttpRequest.Path"/>): it
/// re-encodes the decoded path, so a client's <c>%2F</c> reaches the backend as <c>%252F</c>, and it builds a
/// <see cref="Uri"/> that removes dot segments after matching (<c>/a/../b</c> becomes <c>/b</c>, and
/// <c>/../x</c> climbs out of the backend's base path). Here the client's own path is sent (the request path guard has
/// refused what could be read two ways) in a <see cref="Uri"/> created without path canonicalization, so nothing is
/// collapsed, decoded or encoded after matching; characters a URI may not hold are percent-encoded. One string and one
/// <see cref="Uri"/> per request, as with YARP's default.
/// </remarks>
internal static class DestinationAddress
{
    private static readonly UriCreationOptions Exact = new() { DangerousDisablePathAndQueryCanonicalization = true };

    /// <summary>Builds the address for <paramref name="request"/>, forwarded by <paramref name="route"/> (null: the path unchanged).</summary>
    /// <param name="destinationPrefix">The backend's base address, such as <c>http://10.0.0.4:8080/api</c>.</param>
    /// <param name="request">The client's request.</param>
    /// <param name="route">The route that matched it.</param>
    public static Uri Build(string destinationPrefix, HttpRequest request, RouteDefinition? route)
    {
        ArgumentNullException.ThrowIfNull(destinationPrefix);
        ArgumentNullException.ThrowIfNull(request);

        // Without a raw target (another host, a unit test) the decoded path is encoded as text, every '%' included, as
        // YARP does; it then lines up with the decoded path like the raw one.
        var sent = SentRequestPath.TryGet(request, out var raw, out _)
            ? raw.IsEmpty ? "/" : raw
            : PathEncoding.Encode(request.Path.HasValue ? request.Path.Value : "/", keepEscapes: false);

        ReadOnlySpan<char> path = route?.PathRewrite is { } rewrite
            ? PathRewriter.Rewrite(route.Path, rewrite, request.Path.Value, sent)
            : sent;
        if (!PathEncoding.IsEncoded(path, keepEscapes: true))
        {
            path = PathEncoding.Encode(path, keepEscapes: true);
        }

        // The path always starts with '/'; the base path keeps its own without doubling it.
        var prefix = destinationPrefix.AsSpan();
        if (prefix.EndsWith('/'))
        {
            prefix = prefix[..^1];
        }

        return new Uri(string.Concat(prefix, path, request.QueryString.ToUriComponent()), in Exact);
    }
}
