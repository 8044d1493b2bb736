namespace FunctionsGateway.Routing;

/// <summary>
/// Which request paths the gateway refuses before matching (app settings <c>Gateway__Paths__Name</c>; docs/routes.md,
/// "Paths the gateway refuses"). Dot segments, control characters and percent-encoded bytes that are not UTF-8 are always
/// refused; these settings cover what some APIs legitimately use. Each is <c>Reject</c> or <c>Keep</c>, in any case.
/// </summary>
public sealed class PathOptions
{
    /// <summary>
    /// An encoded slash or backslash in the path (<c>%2F</c>, <c>%5C</c>, also double-encoded as <c>%252F</c>) or a raw
    /// <c>\</c>. <c>Reject</c> answers 400 <c>invalid_path</c>: a backend that decodes them into separators after the
    /// gateway has matched would see another path than the one matched. <c>Keep</c> forwards them as sent; for matching
    /// they are ordinary characters inside one segment, never separators.
    /// </summary>
    /// <value>The default value is <c>Reject</c>.</value>
    public string EncodedSlashes { get; set; } = nameof(PathCharacterHandling.Reject);

    /// <summary>
    /// A <c>;</c> in the path (a path parameter such as <c>/a;jsessionid=x</c>, or <c>%3B</c>), which some backends strip
    /// before routing. <c>Reject</c> answers 400 <c>invalid_path</c>. <c>Keep</c> forwards it as sent; for matching it is
    /// an ordinary character of its segment, so <c>/orders;v=1</c> does not match the literal <c>/orders</c>.
    /// </summary>
    /// <value>The default value is <c>Reject</c>.</value>
    public string PathParameters { get; set; } = nameof(PathCharacterHandling.Reject);

    /// <summary>Reads a setting's value, <c>Reject</c> or <c>Keep</c> in any case.</summary>
    internal static bool TryParse(string? value, out PathCharacterHandling handling)
    {
        if (string.Equals(value?.Trim(), nameof(PathCharacterHandling.Keep), StringComparison.OrdinalIgnoreCase))
        {
            handling = PathCharacterHandling.Keep;
            return true;
        }

        handling = PathCharacterHandling.Reject;
        return string.Equals(value?.Trim(), nameof(PathCharacterHandling.Reject), StringComparison.OrdinalIgnoreCase);
    }
}
