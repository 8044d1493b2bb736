using System.Text.RegularExpressions;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Hides credentials in text quoted back to operators (the status listing, logs): the user:password of a URL and
/// the values of secret-looking query parameters (<c>code</c>, <c>sig</c>, <c>key</c>, <c>token</c>, <c>password</c>, ...).
/// A rejected row value must not leak what it carried to whoever reads the listing or the logs.
/// </summary>
internal static partial class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>The text with user-info and secret query values replaced by <see cref="Mask"/>.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.IndexOf('@', StringComparison.Ordinal) < 0 && text.IndexOf('=', StringComparison.Ordinal) < 0)
        {
            return text;
        }

        var redacted = UserInfo().Replace(text, "${start}" + Mask + "@");
        return SecretQueryValue().Replace(redacted, "${name}" + Mask);
    }

    // user:password@ right after "scheme://" or at the start of the text (a value written without a scheme).
    [GeneratedRegex(@"(?<start>^|//)[^/?#@\s'""]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(?<name>(?:^|[?&;\s])[^=&#\s'""]*(?:code|sig|key|token|password|passwd|pwd|secret|credential)[^=&#\s'""]*=)[^&#\s'""]*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretQueryValue();
}
