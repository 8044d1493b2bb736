using System.Buffers;
using System.Text;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Pipeline;

/// <summary>
/// Refuses, before matching, request paths that a backend could read as another path than the one the gateway
/// matched: dot segments in any encoding, encoded slashes and backslashes, <c>;</c> path parameters, control characters
/// and percent-encoded bytes that are not UTF-8 (docs/routes.md, "Paths the gateway refuses"). The rest of the path is
/// forwarded exactly as sent, so what the backend receives is what was matched.
/// </summary>
/// <remarks>
/// It reads both the raw target (<see cref="SentRequestPath"/>: only the bytes show <c>%2e%2e</c>, <c>..%2F</c> or
/// <c>%C0%AE</c>) and the decoded path the matcher sees (only it shows a <c>%2F</c> that arrived double-encoded, which is
/// how a client's <c>%2F</c> reaches the worker behind the Azure Functions host, and what an absolute-form target
/// decoded into). A path without <c>%</c>, <c>.</c>, <c>\</c>, <c>;</c> or a control character is checked with two
/// vectorized searches; no check allocates.
/// </remarks>
internal sealed class RequestPathGuard
{
    // Where the raw scan has something to look at; every other character is plain segment text.
    private static readonly SearchValues<char> RawInteresting = SearchValues.Create("/.%\\;");

    // Without any of these a path can hold no problem at all ('/' alone is harmless): most API paths, one search.
    private static readonly SearchValues<char> RawSuspicious = SearchValues.Create(".%\\;");

    // Where the decoded scan has something to look at: separators, dots, ';', '%' and every control character.
    private static readonly SearchValues<char> DecodedInteresting = SearchValues.Create("/" + DecodedSuspiciousChars());

    private static readonly SearchValues<char> DecodedSuspicious = SearchValues.Create(DecodedSuspiciousChars());

    // One answer per problem, made once: refusing a flood of bad paths allocates nothing.
    private static readonly GatewayError DotSegment = GatewayError.InvalidPath(
        "The path contains a '.' or '..' segment (also percent-encoded, such as %2e%2e, or ended by an encoded slash or ';'); the gateway does not resolve them. Send the path without dot segments.");

    private static readonly GatewayError EncodedSlash = GatewayError.InvalidPath(
        "The path contains an encoded slash or backslash (%2F or %5C, also double-encoded as %252F), which a backend may read as a separator after the gateway has matched the route. Send the path without it.");

    private static readonly GatewayError Backslash = GatewayError.InvalidPath(
        "The path contains a backslash ('\\' or %5C), which some backends read as '/'. Use '/' to separate segments.");

    private static readonly GatewayError EncodedSlashInAbsoluteForm = GatewayError.InvalidPath(
        "The path of an absolute-form request target (GET http://host/...) contains an encoded slash or backslash, which the server has already decoded. Send the request with the path alone (GET /path).");

    private static readonly GatewayError PathParameter = GatewayError.InvalidPath(
        "The path contains ';' (a path parameter such as ;jsessionid=..., or %3B), which some backends strip before routing. Send the value in the query string instead.");

    private static readonly GatewayError ControlCharacter = GatewayError.InvalidPath(
        "The path contains a control character (such as %00, %0A or %7F). Remove it.");

    private static readonly GatewayError InvalidUtf8 = GatewayError.InvalidPath(
        "The path contains percent-encoded bytes that are not UTF-8 (such as the overlong %C0%AE). Percent-encode characters as UTF-8.");

    private readonly bool _keepEncodedSlashes;
    private readonly bool _keepPathParameters;

    /// <summary>Creates the guard for the validated settings.</summary>
    /// <exception cref="ArgumentException">A setting is neither Reject nor Keep: the options validator should have refused it.</exception>
    public RequestPathGuard(PathOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!PathOptions.TryParse(options.EncodedSlashes, out var slashes) || !PathOptions.TryParse(options.PathParameters, out var parameters))
        {
            throw new ArgumentException("Gateway__Paths settings must be Reject or Keep; GatewayOptionsValidator should have refused them.", nameof(options));
        }

        _keepEncodedSlashes = slashes == PathCharacterHandling.Keep;
        _keepPathParameters = parameters == PathCharacterHandling.Keep;
    }

    /// <summary>The 400 <c>invalid_path</c> answer for the request, or null when its path may be matched and forwarded.</summary>
    public GatewayError? Check(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        var problem = SentRequestPath.TryGet(request, out var raw, out var absoluteForm) ? InspectRaw(raw, absoluteForm) : PathProblem.None;
        if (problem == PathProblem.None)
        {
            problem = InspectDecoded(request.Path.Value);
        }

        return ErrorFor(problem);
    }

    /// <summary>The answer for <paramref name="problem"/>, or null for <see cref="PathProblem.None"/>.</summary>
    internal static GatewayError? ErrorFor(PathProblem problem) => problem switch
    {
        PathProblem.None => null,
        PathProblem.DotSegment => DotSegment,
        PathProblem.EncodedSlash => EncodedSlash,
        PathProblem.Backslash => Backslash,
        PathProblem.EncodedSlashInAbsoluteForm => EncodedSlashInAbsoluteForm,
        PathProblem.PathParameter => PathParameter,
        PathProblem.ControlCharacter => ControlCharacter,
        PathProblem.InvalidUtf8 => InvalidUtf8,
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, "Unknown path problem."),
    };

    /// <summary>What is wrong with a raw path (as the client wrote it, up to the query).</summary>
    internal PathProblem InspectRaw(ReadOnlySpan<char> path, bool absoluteForm)
    {
        if (!path.ContainsAny(RawSuspicious))
        {
            return PathProblem.None;
        }

        var segment = new DotTracker();
        var i = 0;
        while (i < path.Length)
        {
            var plain = path[i..].IndexOfAny(RawInteresting);
            if (plain < 0)
            {
                segment.Other();
                break;
            }

            if (plain > 0)
            {
                segment.Other();
                i += plain;
            }

            var c = path[i];
            var value = (int)c;
            var width = 1;
            var escaped = 0;
            if (c == '%' && TryReadEscape(path, i, out escaped))
            {
                value = escaped;
                width = 3;
            }

            switch (value)
            {
                case '/' when width == 1:
                    if (segment.EndsDotSegment())
                    {
                        return PathProblem.DotSegment;
                    }

                    break;
                case '/' or '\\':
                    // A backend that decodes them sees a separator: "..%2F" is a dot segment, whatever the setting.
                    if (segment.EndsDotSegment())
                    {
                        return PathProblem.DotSegment;
                    }

                    // Absolute form: Kestrel has already turned %2F (and Uri a raw '\') into '/', so keeping them is impossible.
                    if (absoluteForm)
                    {
                        return PathProblem.EncodedSlashInAbsoluteForm;
                    }

                    if (!_keepEncodedSlashes)
                    {
                        return width == 1 ? PathProblem.Backslash : PathProblem.EncodedSlash;
                    }

                    break;
                case '.':
                    segment.Dot();
                    break;
                case ';':
                    // Backends that strip path parameters read "..;x" as "..".
                    if (segment.EndsDotSegment())
                    {
                        return PathProblem.DotSegment;
                    }

                    segment.Other();
                    break;
                case >= 0x80 when width == 3:
                    if (!IsUtf8Sequence(path, i, escaped, out width))
                    {
                        return PathProblem.InvalidUtf8;
                    }

                    segment.Other();
                    break;
                default:
                    segment.Other();
                    break;
            }

            i += width;
        }

        return segment.EndsDotSegment() ? PathProblem.DotSegment : PathProblem.None;
    }

    /// <summary>What is wrong with the decoded path the matcher sees.</summary>
    internal PathProblem InspectDecoded(ReadOnlySpan<char> path)
    {
        if (!path.ContainsAny(DecodedSuspicious))
        {
            return PathProblem.None;
        }

        var segment = new DotTracker();
        var i = 0;
        while (i < path.Length)
        {
            var plain = path[i..].IndexOfAny(DecodedInteresting);
            if (plain < 0)
            {
                segment.Other();
                break;
            }

            if (plain > 0)
            {
                segment.Other();
                i += plain;
            }

            var c = path[i];
            switch (c)
            {
                case '/':
                    if (segment.EndsDotSegment())
                    {
                        return PathProblem.DotSegment;
                    }

                    break;
                case '\\':
                    if (!_keepEncodedSlashes)
                    {
                        return PathProblem.Backslash;
                    }

                    if (segment.EndsDotSegment())
                    {
                        return PathProblem.DotSegment;
                    }

                    break;
                case '.':
                    segment.Dot();
                    break;
                case ';':
                    if (!_keepPathParameters)
                    {
                        return PathProblem.PathParameter;
                    }

                    if (segment.EndsDotSegment())
                    {
                        return PathProblem.DotSegment;
                    }

                    segment.Other();
                    break;
                case '%':
                    // Kestrel leaves %2F as text, and %252F decodes to that same text: either way a backend that decodes
                    // once more sees a separator.
                    if (!_keepEncodedSlashes && TryReadEscape(path, i, out var value) && value is '/' or '\\')
                    {
                        return PathProblem.EncodedSlash;
                    }

                    segment.Other();
                    break;
                default:
                    return PathProblem.ControlCharacter;
            }

            i++;
        }

        return segment.EndsDotSegment() ? PathProblem.DotSegment : PathProblem.None;
    }

    private static string DecodedSuspiciousChars() =>
        ".%\\;" + string.Concat(Enumerable.Range(0, 0xA0).Where(c => char.IsControl((char)c)).Select(c => (char)c));

    private static bool TryReadEscape(ReadOnlySpan<char> text, int percent, out int value)
    {
        value = 0;
        if (percent + 2 >= text.Length)
        {
            return false;
        }

        var high = HexValue(text[percent + 1]);
        var low = HexValue(text[percent + 2]);
        if (high < 0 || low < 0)
        {
            return false;
        }

        value = (high << 4) | low;
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    /// <summary>
    /// True when the escapes starting at <paramref name="start"/> (whose first byte is <paramref name="lead"/>) form one
    /// well-formed UTF-8 character: no overlong form, surrogate or stray continuation byte.
    /// </summary>
    private static bool IsUtf8Sequence(ReadOnlySpan<char> path, int start, int lead, out int width)
    {
        width = 3;
        var length = lead switch
        {
            >= 0xC2 and <= 0xDF => 2,
            >= 0xE0 and <= 0xEF => 3,
            >= 0xF0 and <= 0xF4 => 4,
            _ => 0,
        };
        if (length == 0)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[4];
        bytes[0] = (byte)lead;
        for (var k = 1; k < length; k++)
        {
            var at = start + (3 * k);
            if (at >= path.Length || path[at] != '%' || !TryReadEscape(path, at, out var next))
            {
                return false;
            }

            bytes[k] = (byte)next;
        }

        width = 3 * length;
        return Rune.DecodeFromUtf8(bytes[..length], out _, out var consumed) == OperationStatus.Done && consumed == length;
    }

    /// <summary>Whether the segment read so far consists of one or two dots and nothing else.</summary>
    private struct DotTracker
    {
        private int _dots;
        private bool _other;

        public void Dot() => _dots++;

        public void Other() => _other = true;

        /// <summary>True when the segment read so far is '.' or '..'; either way a new segment starts.</summary>
        public bool EndsDotSegment()
        {
            var dotSegment = !_other && _dots is 1 or 2;
            _dots = 0;
            _other = false;
            return dotSegment;
        }
    }
}
