namespace FunctionsGateway.Routing;

/// <summary>
/// A host name a route answers for: exact (<c>api.contoso.com</c>) or a wildcard for any subdomain
/// (<c>*.contoso.com</c>, which matches <c>eu.api.contoso.com</c> but not <c>contoso.com</c>).
/// Compared case-insensitively, without the port; a trailing dot (the fully qualified spelling,
/// <c>api.contoso.com.</c>) names the same host, in the pattern and in the request.
/// </summary>
public sealed record HostPattern
{
    private HostPattern(string text, bool isWildcard, string suffix)
    {
        Text = text;
        IsWildcard = isWildcard;
        Suffix = suffix;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>True for <c>*.domain</c> patterns.</summary>
    public bool IsWildcard { get; }

    /// <summary>For a wildcard, <c>.domain</c>; otherwise the whole host.</summary>
    public string Suffix { get; }

    /// <summary>Parses one host pattern; on failure <paramref name="error"/> says what to write instead.</summary>
    public static bool TryParse(string text, out HostPattern pattern, out string error)
    {
        pattern = null!;
        var value = text.Trim();
        var wildcard = value.StartsWith("*.", StringComparison.Ordinal);
        var host = wildcard ? value[2..] : value;
        if (host.Length > 1 && host[^1] == '.')
        {
            host = host[..^1];
        }

        if (host.Length == 0 || host.Contains('*', StringComparison.Ordinal) || host.Contains(':', StringComparison.Ordinal)
            || host.Contains('/', StringComparison.Ordinal) || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            error = $"'{text}' is not a host name; write 'api.contoso.com' or '*.contoso.com' (no scheme, port or path)";
            return false;
        }

        pattern = new HostPattern(value, wildcard, wildcard ? "." + host : host);
        error = string.Empty;
        return true;
    }

    /// <summary>True when <paramref name="host"/> (without port) is matched by this pattern.</summary>
    public bool Matches(ReadOnlySpan<char> host)
    {
        if (host.Length > 1 && host[^1] == '.')
        {
            host = host[..^1];
        }

        return IsWildcard
            ? host.Length > Suffix.Length && host.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase)
            : host.Equals(Suffix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when some host is matched by both patterns (<c>*.contoso.com</c> and <c>api.contoso.com</c> do).</summary>
    public bool Overlaps(HostPattern other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return (IsWildcard, other.IsWildcard) switch
        {
            (false, false) => Suffix.Equals(other.Suffix, StringComparison.OrdinalIgnoreCase),
            (false, true) => other.Matches(Suffix),
            (true, false) => Matches(other.Suffix),
            // '.eu.contoso.com' and '.contoso.com' share every host under the longer one.
            _ => Suffix.EndsWith(other.Suffix, StringComparison.OrdinalIgnoreCase) || other.Suffix.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
