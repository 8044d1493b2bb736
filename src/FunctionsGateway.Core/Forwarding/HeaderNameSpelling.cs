namespace FunctionsGateway.Forwarding;

/// <summary>
/// How a backend may read a header name: case-insensitively, and with <c>_</c> for <c>-</c>, because CGI-style
/// frameworks (WSGI, Rack, PHP) turn both <c>X-Gateway-Consumer</c> and <c>X_Gateway_Consumer</c> into
/// <c>HTTP_X_GATEWAY_CONSUMER</c>. A header the gateway removes must be removed in every such spelling.
/// </summary>
internal static class HeaderNameSpelling
{
    /// <summary>Whether a backend could read <paramref name="a"/> and <paramref name="b"/> as the same header.</summary>
    public static bool Same(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (Fold(a[i]) != Fold(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    // Header names are ASCII tokens, so ASCII case folding is enough.
    private static char Fold(char c) => c == '_' ? '-' : char.ToLowerInvariant(c);
}
