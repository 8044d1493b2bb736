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
/// The result always starts with '/'. Nothing is encoded or decoded: the values are copied from the
/// path given as <c>sentPath</c> (the path as the client wrote it, which lines up with the matched
/// path segment for segment), so the backend receives the client's own bytes.
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
    public static string Rewrite(RouteTemplate matched, RouteTemplate rewrite, ReadOnlySpan<char> requestPath) =>
        Rewrite(matched, rewrite, requestPath, requestPath);

    /// <summary>
    /// Rewrites the request path <paramref name="matchedPath"/>, which <paramref name="matched"/> matched, with
    /// <paramref name="rewrite"/>, taking the values from <paramref name="sentPath"/>.
    /// </summary>
    /// <param name="matched">The template of the route that matched the request.</param>
    /// <param name="rewrite">The route's <c>PathRewrite</c> template.</param>
    /// <param name="matchedPath">The decoded request path the route matched.</param>
    /// <param name="sentPath">
    /// The same path as the client wrote it (percent-encoded); it must have the same segments as
    /// <paramref name="matchedPath"/>, which the request path guard ensures.
    /// </param>
    /// <returns>The backend path, starting with '/', in the form of <paramref name="sentPath"/>.</returns>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="matchedPath"/> does not match <paramref name="matched"/>, the two paths do not line up, or
    /// <paramref name="rewrite"/> uses a parameter <paramref name="matched"/> does not have: all bugs in the caller,
    /// the request path guard or the route validator.
    /// </exception>
    public static string Rewrite(RouteTemplate matched, RouteTemplate rewrite, ReadOnlySpan<char> matchedPath, ReadOnlySpan<char> sentPath)
    {
        ArgumentNullException.ThrowIfNull(matched);
        ArgumentNullException.ThrowIfNull(rewrite);

        var matchedSegments = matched.Segments;
        var captures = matchedSegments.Length <= MaxStackCaptures
            ? stackalloc Range[matchedSegments.Length]
            : new Range[matchedSegments.Length];
        Capture(matched, matchedPath, sentPath, captures);

        var length = 0;
        foreach (var segment in rewrite.Segments)
        {
            var value = ValueOf(segment, matched, rewrite, sentPath, captures);
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
                var value = ValueOf(segment, matched, rewrite, sentPath, captures);
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

    /// <summary>
    /// Records, for each segment of <paramref name="matched"/>, where its value lies in <paramref name="sentPath"/>:
    /// both paths are walked together, the template compared with the decoded one.
    /// </summary>
    private static void Capture(RouteTemplate matched, ReadOnlySpan<char> matchedPath, ReadOnlySpan<char> sentPath, Span<Range> captures)
    {
        var segments = RequestPath.Trim(matchedPath, out _);
        var sent = RequestPath.Trim(sentPath, out var offset);
        var start = RequestPath.FirstSegment(segments);
        var sentStart = RequestPath.FirstSegment(sent);
        var templateSegments = matched.Segments;
        for (var i = 0; i < templateSegments.Length; i++)
        {
            if (RequestPath.HasSegment(segments, start) != RequestPath.HasSegment(sent, sentStart))
            {
                throw NotAligned(matchedPath, sentPath);
            }

            var templateSegment = templateSegments[i];
            if (templateSegment.Kind == TemplateSegmentKind.CatchAll)
            {
                // Taken from the untrimmed path so that a trailing slash inside the remainder survives.
                captures[i] = RequestPath.HasSegment(sent, sentStart)
                    ? new Range(offset + sentStart, sentPath.Length)
                    : new Range(0, 0);
                return;
            }

            if (!RequestPath.HasSegment(segments, start))
            {
                throw NotMatched(matched, matchedPath);
            }

            var segment = RequestPath.ReadSegment(segments, start, out var next);
            var sentSegment = RequestPath.ReadSegment(sent, sentStart, out var sentNext);
            var fits = templateSegment.Kind == TemplateSegmentKind.Literal
                ? segment.Equals(templateSegment.Value, StringComparison.OrdinalIgnoreCase)
                : !segment.IsEmpty;
            if (!fits)
            {
                throw NotMatched(matched, matchedPath);
            }

            captures[i] = new Range(offset + sentStart, offset + sentStart + sentSegment.Length);
            start = next;
            sentStart = sentNext;
        }

        if (RequestPath.HasSegment(segments, start))
        {
            throw NotMatched(matched, matchedPath);
        }

        if (RequestPath.HasSegment(sent, sentStart))
        {
            throw NotAligned(matchedPath, sentPath);
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

    private static InvalidOperationException NotAligned(ReadOnlySpan<char> matchedPath, ReadOnlySpan<char> sentPath) =>
        new($"The sent path '{sentPath}' does not have the segments of the matched path '{matchedPath}'; the request path guard should have refused this request.");

    private static InvalidOperationException NotMatched(RouteTemplate matched, ReadOnlySpan<char> requestPath) =>
        new($"The request path '{requestPath}' does not match the template '{matched.Text}'; rewrite only the path of the route that matched it.");
}
