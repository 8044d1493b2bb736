using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Routing;

/// <summary>
/// One <c>MatchHeaders</c> condition: <c>name=value</c> (the header has that value, compared
/// case-insensitively) or <c>name</c> alone (the header is present).
/// </summary>
/// <param name="Name">The header name.</param>
/// <param name="Value">The required value, or null when presence is enough.</param>
public sealed record HeaderMatch(string Name, string? Value)
{
    /// <summary>Parses one <c>name=value</c> or <c>name</c> item.</summary>
    public static bool TryParse(string text, out HeaderMatch match, out string error)
    {
        match = null!;
        var separator = text.IndexOf('=', StringComparison.Ordinal);
        var name = (separator < 0 ? text : text[..separator]).Trim();
        var value = separator < 0 ? null : text[(separator + 1)..].Trim();
        if (name.Length == 0 || !name.All(IsTokenChar))
        {
            error = $"'{text}' has no valid header name; write 'x-api-version=2' (exact value) or 'x-beta' (header present)";
            return false;
        }

        if (value is { Length: 0 })
        {
            error = $"'{text}' has an empty value; write 'name=value', or just 'name' to require that the header is present";
            return false;
        }

        match = new HeaderMatch(name, value);
        error = string.Empty;
        return true;
    }

    /// <summary>True when the request's headers satisfy this condition.</summary>
    public bool Matches(IHeaderDictionary headers)
    {
        if (!headers.TryGetValue(Name, out var values) || values.Count == 0)
        {
            return false;
        }

        if (Value is null)
        {
            return true;
        }

        foreach (var value in values)
        {
            if (value.AsSpan().Trim().Equals(Value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Value is null ? Name : $"{Name}={Value}";

    // RFC 9110 token characters.
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
