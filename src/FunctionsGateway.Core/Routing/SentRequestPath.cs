using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FunctionsGateway.Routing;

/// <summary>
/// The path of the request target exactly as the client wrote it, next to <see cref="HttpRequest.Path"/>, which is what
/// the server made of it and what routes are matched against.
/// </summary>
/// <remarks>
/// Why both are needed (measured on Kestrel): for an origin-form target (<c>GET /a/b</c>) <see cref="HttpRequest.Path"/>
/// is percent-decoded except <c>%2F</c>, which stays as the text <c>%2F</c>, and dot segments are removed after decoding,
/// so <c>/a/%2e%2e/admin</c> becomes <c>/admin</c> and <c>%2F</c> and <c>%252F</c> both read <c>%2F</c>. For an
/// absolute-form target (<c>GET http://host/a/..%2F..%2Fadmin</c>) the path is <see cref="Uri.LocalPath"/>: fully
/// decoded, <c>%2F</c> included, after dot segments were removed, so it reads <c>/a/../../admin</c>. Only the raw
/// target shows what was really sent.
/// </remarks>
internal static class SentRequestPath
{
    /// <summary>The path part of the raw request target, or false when the server does not tell it.</summary>
    /// <param name="request">The request.</param>
    /// <param name="path">The raw path, up to the query; empty for an absolute-form target without a path.</param>
    /// <param name="absoluteForm">True for an absolute-form target such as <c>http://host/a</c>.</param>
    /// <returns>
    /// False when there is no raw target, for the asterisk form (<c>OPTIONS *</c>), and when a path base was split off
    /// (the raw target then no longer lines up with <see cref="HttpRequest.Path"/>).
    /// </returns>
    public static bool TryGet(HttpRequest request, out ReadOnlySpan<char> path, out bool absoluteForm)
    {
        path = default;
        absoluteForm = false;
        var raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || request.PathBase.HasValue)
        {
            return false;
        }

        if (raw[0] == '/')
        {
            var query = raw.IndexOf('?', StringComparison.Ordinal);
            path = query < 0 ? raw : raw.AsSpan(0, query);
            return true;
        }

        var scheme = raw.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
        {
            return false;
        }

        // Absolute form: the authority ends at the first '/', '?' or '#'; the path at '?' or '#' (a fragment is no part
        // of Uri.LocalPath, which Kestrel made the request path).
        absoluteForm = true;
        var rest = raw.AsSpan(scheme + 3);
        var authorityEnd = rest.IndexOfAny('/', '?', '#');
        if (authorityEnd < 0 || rest[authorityEnd] != '/')
        {
            return true;
        }

        rest = rest[authorityEnd..];
        var end = rest.IndexOfAny('?', '#');
        path = end < 0 ? rest : rest[..end];
        return true;
    }
}
