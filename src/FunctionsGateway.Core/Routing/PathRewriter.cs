using System.Buffers;

namespace FunctionsGateway.Routing;

/// <summary>
/// Builds the path sent to the backend from a route's <c>PathRewrite</c> template and the values
/// the request path gave the route's parameters.
/// </summary>
/// <remarks>
/// The request path is walked again against the matched template (the same way
/// <see cref="RouteMatcher"/> reads it) to find each parameter's segment and the catch-all's
/// remainder. The remainder is taken raw: its inner slashes and a trailing slash the client sent
/// are kept, and it may be empty. The rewrite template is then filled in: literals as written, a
/// parameter or catch-all with the value of the matched template's parameter of the same name
/// (case-insensitive). A segment whose value is empty, which only an empty catch-all can produce,
/// is left out together with its '/', so <c>/v2/{**rest}</c> with nothing left becomes <c>/v2</c>.
/// The result always starts with '/'. Nothing is encoded or decoded: the result is in the same
/// form as the request path given.
/// </remarks>
internal static class PathRewriter
{
    // Templates deeper than this are unheard of; past it the captures go to the heap rather than
    // risk a large stackalloc.
    private const int MaxStackCaptures = 32;

    // Paths up to this length are assembled on the stack; longer ones in a pooled buffer.
    private const int MaxStackChars = 512;

    /// <summary>Rewrites <paramref name="requestPath"/>, which <paramref name="matched"/> matched, with <paramref name="rewrite"/>.</summary>
    /// <param name="matched">The template of the route that matched the request.</param>
    /// <param name="rewrite">The route's <c>PathRewrite</c> template.</param>
    /// <param name="requestPath">The request path the route matched.</param>
    /// <returns>The backend path, starting with '/'.</returns>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="requestPath"/> does not match <paramref name="matched"/>, or <paramref name="rewrite"/>
    /// uses a parameter <paramref name="matched"/> does not have: both are bugs in the caller or the route validator.
    /// </exception>
    public static string Rewrite(RouteTemplate matched, RouteTemplate rewrite, ReadOnlySpan<char> requestPath)
    {
        ArgumentNullException.ThrowIfNull(matched);
        ArgumentNullException.ThrowIfNull(rewrite);

        var matchedSegments = matched.Segments;
        var captures = matchedSegments.Length <= MaxStackCaptures
            ? stackalloc Range[matchedSegments.Length]
            : new Range[matchedSegments.Length];
        Capture(matched, requestPath, captures);

        var length = 0;
        foreach (var segment in rewrite.Segments)
        {
            var value = ValueOf(segment, matched, rewrite, requestPath, captures);
            if (!value.IsEmpty)
            {
                length += 1 + value.Length;
            }
        }

        if (length == 0)
        {
            return "/";
        }

        char[]? rented = null;
        var buffer = length <= MaxStackChars
            ? stackalloc char[length]
            : rented = ArrayPool<char>.Shared.Rent(length);
        try
        {
            var written = 0;
            foreach (var segment in rewrite.Segments)
            {
                var value = ValueOf(segment, matched, rewrite, requestPath, captures);
                if (!value.IsEmpty)
                {
                    buffer[written++] = '/';
                    value.CopyTo(buffer[written..]);
                    written += value.Length;
                }
            }

            return new string(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Records, for each segment of <paramref name="matched"/>, where its value lies in <paramref name="requestPath"/>.</summary>
    private static void Capture(RouteTemplate matched, ReadOnlySpan<char> requestPath, Span<Range> captures)
    {
        var segments = RequestPath.Trim(requestPath, out var offset);
        var start = RequestPath.FirstSegment(segments);
        var templateSegments = matched.Segments;
        for (var i = 0; i < templateSegments.Length; i++)
        {
            var templateSegment = templateSegments[i];
            if (templateSegment.Kind == TemplateSegmentKind.CatchAll)
            {
                // Taken from the untrimmed path so that a trailing slash inside the remainder survives.
                captures[i] = RequestPath.HasSegment(segments, start)
                    ? new Range(offset + start, requestPath.Length)
                    : new Range(0, 0);
                return;
            }

            if (!RequestPath.HasSegment(segments, start))
            {
                throw NotMatched(matched, requestPath);
            }

            var segment = RequestPath.ReadSegment(segments, start, out var next);
            var fits = templateSegment.Kind == TemplateSegmentKind.Literal
                ? segment.Equals(templateSegment.Value, StringComparison.OrdinalIgnoreCase)
                : !segment.IsEmpty;
            if (!fits)
            {
                throw NotMatched(matched, requestPath);
            }

            captures[i] = new Range(offset + start, offset + start + segment.Length);
            start = next;
        }

        if (RequestPath.HasSegment(segments, start))
        {
            throw NotMatched(matched, requestPath);
        }
    }

    private static ReadOnlySpan<char> ValueOf(
        TemplateSegment segment, RouteTemplate matched, RouteTemplate rewrite, ReadOnlySpan<char> requestPath, ReadOnlySpan<Range> captures)
    {
        if (segment.Kind == TemplateSegmentKind.Literal)
        {
            return segment.Value;
        }

        var matchedSegments = matched.Segments;
        for (var i = 0; i < matchedSegments.Length; i++)
        {
            var candidate = matchedSegments[i];
            if (candidate.Kind != TemplateSegmentKind.Literal
                && string.Equals(candidate.Value, segment.Value, StringComparison.OrdinalIgnoreCase))
            {
                return requestPath[captures[i]];
            }
        }

        throw new InvalidOperationException(
            $"The rewrite template '{rewrite.Text}' uses '{segment.Value}', which the matched template '{matched.Text}' does not define; the route validator should have rejected this route.");
    }

    private static InvalidOperationException NotMatched(RouteTemplate matched, ReadOnlySpan<char> requestPath) =>
        new($"The request path '{requestPath}' does not match the template '{matched.Text}'; rewrite only the path of the route that matched it.");
}
