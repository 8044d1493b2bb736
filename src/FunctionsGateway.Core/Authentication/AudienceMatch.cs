namespace FunctionsGateway.Authentication;

/// <summary>
/// Compares audiences the way IdentityModel's issuer-level check does (ordinal, one trailing '/' ignored), so a
/// route's <c>Audiences</c> never disagrees with the issuer's <c>Audiences</c> about the same token.
/// </summary>
internal static class AudienceMatch
{
    /// <summary>Whether <paramref name="left"/> and <paramref name="right"/> name the same audience.</summary>
    public static bool Same(string left, string right) =>
        string.Equals(left, right, StringComparison.Ordinal)
        || WithSlash(left, right)
        || WithSlash(right, left);

    private static bool WithSlash(string longer, string shorter) =>
        longer.Length == shorter.Length + 1
        && longer[^1] == '/'
        && longer.StartsWith(shorter, StringComparison.Ordinal);
}
