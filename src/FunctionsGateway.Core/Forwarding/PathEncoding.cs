using System.Buffers;
using System.Text;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Makes a path fit to send in a request line: every character outside RFC 3986's <c>pchar</c> and '/' is
/// percent-encoded as UTF-8, as browsers do; existing <c>%XX</c> escapes are kept (URI text) or encoded too (plain text).
/// </summary>
internal static class PathEncoding
{
    // RFC 3986: pchar = unreserved / pct-encoded / sub-delims / ":" / "@", plus the '/' between segments; '%' apart.
    private static readonly SearchValues<char> Unescaped =
        SearchValues.Create("!$&'()*+,-./0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");

    private const int MaxStackChars = 512;

    /// <summary>True when <paramref name="path"/> can be sent as it is.</summary>
    /// <param name="path">The path.</param>
    /// <param name="keepEscapes">True for URI text, whose well-formed <c>%XX</c> escapes are kept; false for plain text.</param>
    public static bool IsEncoded(ReadOnlySpan<char> path, bool keepEscapes) => EncodedLength(path, keepEscapes) == path.Length;

    /// <summary>
    /// <paramref name="path"/> with every character that may not appear in a URI path percent-encoded; a '%' is kept
    /// when <paramref name="keepEscapes"/> and it starts a well-formed escape (so <c>%2F</c> stays <c>%2F</c> and a
    /// lone <c>%</c> becomes <c>%25</c>), and always encoded otherwise.
    /// </summary>
    public static string Encode(ReadOnlySpan<char> path, bool keepEscapes)
    {
        var length = EncodedLength(path, keepEscapes);
        if (length == path.Length)
        {
            return new string(path);
        }

        char[]? rented = null;
        var buffer = length <= MaxStackChars ? stackalloc char[length] : rented = ArrayPool<char>.Shared.Rent(length);
        try
        {
            var written = 0;
            Span<byte> utf8 = stackalloc byte[4];
            var i = 0;
            while (i < path.Length)
            {
                var c = path[i];
                if (Unescaped.Contains(c) || (keepEscapes && IsEscape(path, i)))
                {
                    buffer[written++] = c;
                    i++;
                    continue;
                }

                // A lone surrogate becomes U+FFFD: the path stays valid UTF-8.
                Rune.DecodeFromUtf16(path[i..], out var rune, out var consumed);
                var bytes = rune.EncodeToUtf8(utf8);
                for (var b = 0; b < bytes; b++)
                {
                    buffer[written++] = '%';
                    buffer[written++] = HexDigit(utf8[b] >> 4);
                    buffer[written++] = HexDigit(utf8[b] & 0xF);
                }

                i += consumed;
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

    private static int EncodedLength(ReadOnlySpan<char> path, bool keepEscapes)
    {
        var length = 0;
        var i = 0;
        while (i < path.Length)
        {
            var plain = path[i..].IndexOfAnyExcept(Unescaped);
            if (plain < 0)
            {
                return length + path.Length - i;
            }

            length += plain;
            i += plain;
            if (keepEscapes && IsEscape(path, i))
            {
                length++;
                i++;
                continue;
            }

            Rune.DecodeFromUtf16(path[i..], out var rune, out var consumed);
            length += 3 * rune.Utf8SequenceLength;
            i += consumed;
        }

        return length;
    }

    private static bool IsEscape(ReadOnlySpan<char> path, int i) =>
        path[i] == '%' && i + 2 < path.Length && char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2]);

    private static char HexDigit(int value) => (char)(value < 10 ? '0' + value : 'A' + value - 10);
}
