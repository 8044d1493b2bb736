namespace FunctionsGateway.Routing;

/// <summary>
/// Walks a request path segment by segment without allocating, so that <see cref="RouteMatcher"/>
/// and <see cref="PathRewriter"/> agree on what the segments of a path are.
/// </summary>
/// <remarks>
/// A path is first trimmed (<see cref="Trim"/>): one leading '/' and one trailing '/' that follows a
/// segment are dropped, so <c>/orders/</c> reads as the single segment <c>orders</c> while
/// <c>/orders//</c> still has an empty second segment. The trimmed text is then read with a
/// cursor: the start index of the next segment, which is greater than the text's length once every
/// segment has been read. An empty trimmed path therefore has no segments at all (the root), and
/// <c>a//b</c> has three, the middle one empty.
/// </remarks>
internal static class RequestPath
{
    /// <summary>Drops one leading '/' and one trailing '/' that follows a segment.</summary>
    /// <param name="path">The request path, normally starting with '/'.</param>
    /// <param name="offset">Where the trimmed text starts in <paramref name="path"/>.</param>
    /// <returns>The segments of the path separated by '/', without the slashes around them.</returns>
    public static ReadOnlySpan<char> Trim(ReadOnlySpan<char> path, out int offset)
    {
        offset = 0;
        if (!path.IsEmpty && path[0] == '/')
        {
            offset = 1;
            path = path[1..];
        }

        // Only a slash that ends a segment is dropped: "//" keeps its empty segment, which a
        // parameter must not match, instead of collapsing into the root path.
        if (path.Length >= 2 && path[^1] == '/' && path[^2] != '/')
        {
            path = path[..^1];
        }

        return path;
    }

    /// <summary>The cursor of the first segment of <paramref name="trimmed"/>: past the end when it has none.</summary>
    public static int FirstSegment(ReadOnlySpan<char> trimmed) => trimmed.IsEmpty ? 1 : 0;

    /// <summary>True when the cursor <paramref name="start"/> points at a segment that has not been read yet.</summary>
    public static bool HasSegment(ReadOnlySpan<char> trimmed, int start) => start <= trimmed.Length;

    /// <summary>Reads the segment at <paramref name="start"/>, which must satisfy <see cref="HasSegment"/>.</summary>
    /// <param name="trimmed">Text returned by <see cref="Trim"/>.</param>
    /// <param name="start">The cursor of the segment to read.</param>
    /// <param name="next">The cursor of the segment after it.</param>
    /// <returns>The segment, possibly empty.</returns>
    public static ReadOnlySpan<char> ReadSegment(ReadOnlySpan<char> trimmed, int start, out int next)
    {
        var rest = trimmed[start..];
        var slash = rest.IndexOf('/');
        if (slash < 0)
        {
            next = trimmed.Length + 1;
            return rest;
        }

        next = start + slash + 1;
        return rest[..slash];
    }

    /// <summary>
    /// True when <paramref name="segment"/> is <c>.</c> or <c>..</c>, each dot written as itself or as <c>%2E</c>/<c>%2e</c>:
    /// a segment URLs resolve away (RFC 3986 §5.2.4).
    /// </summary>
    public static bool IsDotSegment(ReadOnlySpan<char> segment)
    {
        var dots = 0;
        var i = 0;
        while (i < segment.Length)
        {
            if (segment[i] == '.')
            {
                i++;
            }
            else if (segment[i] == '%' && i + 2 < segment.Length && segment[i + 1] == '2' && segment[i + 2] is 'e' or 'E')
            {
                i += 3;
            }
            else
            {
                return false;
            }

            dots++;
        }

        return dots is 1 or 2;
    }
}
