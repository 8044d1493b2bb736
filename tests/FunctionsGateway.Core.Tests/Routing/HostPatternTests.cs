namespace FunctionsGateway.Routing;

public class HostPatternTests
{
    [Fact]
    public void TryParse_ExactHost_IsNotWildcard()
    {
        var parsed = HostPattern.TryParse("api.contoso.com", out var pattern, out var error);

        Assert.True(parsed, error);
        Assert.False(pattern.IsWildcard);
        Assert.Equal("api.contoso.com", pattern.Suffix);
    }

    [Fact]
    public void TryParse_Wildcard_KeepsTheDotInTheSuffix()
    {
        var parsed = HostPattern.TryParse("*.contoso.com", out var pattern, out var error);

        Assert.True(parsed, error);
        Assert.True(pattern.IsWildcard);
        Assert.Equal(".contoso.com", pattern.Suffix);
    }

    [Fact]
    public void TryParse_SurroundingWhitespace_IsTrimmed()
    {
        var parsed = HostPattern.TryParse("  api.contoso.com ", out var pattern, out var error);

        Assert.True(parsed, error);
        Assert.Equal("api.contoso.com", pattern.Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("*")]
    [InlineData("*.")]
    [InlineData("**.contoso.com")]
    [InlineData("api.*.com")]
    [InlineData("api*.contoso.com")]
    [InlineData("api.contoso.com:443")]
    [InlineData("https://api.contoso.com")]
    [InlineData("api.contoso.com/orders")]
    [InlineData("api contoso.com")]
    [InlineData("[::1]")]
    public void TryParse_NotAHostName_SaysWhatToWrite(string text)
    {
        var parsed = HostPattern.TryParse(text, out _, out var error);

        Assert.False(parsed);
        Assert.Equal($"'{text}' is not a host name; write 'api.contoso.com' or '*.contoso.com' (no scheme, port or path)", error);
    }

    [Theory]
    [InlineData("api.contoso.com", true)]
    [InlineData("API.CONTOSO.COM", true)]
    [InlineData("eu.api.contoso.com", false)]
    [InlineData("contoso.com", false)]
    [InlineData("api.contoso.co", false)]
    [InlineData("", false)]
    public void Matches_ExactHost_OnlyThatHostInAnyCase(string host, bool expected)
    {
        var pattern = Parse("api.contoso.com");

        var matches = pattern.Matches(host);

        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("api.contoso.com", true)]
    [InlineData("eu.api.contoso.com", true)]
    [InlineData("EU.Contoso.Com", true)]
    [InlineData("contoso.com", false)]
    [InlineData(".contoso.com", false)]
    [InlineData("evilcontoso.com", false)]
    [InlineData("api.contoso.com.evil.net", false)]
    [InlineData("", false)]
    public void Matches_Wildcard_AnySubdomainButNotTheApexDomain(string host, bool expected)
    {
        var pattern = Parse("*.contoso.com");

        var matches = pattern.Matches(host);

        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("api.contoso.com", "api.contoso.com.", true)]
    [InlineData("api.contoso.com.", "api.contoso.com", true)]
    [InlineData("api.contoso.com.", "API.contoso.com.", true)]
    [InlineData("*.contoso.com", "eu.contoso.com.", true)]
    [InlineData("*.contoso.com.", "eu.contoso.com", true)]
    [InlineData("*.contoso.com", "contoso.com.", false)]
    [InlineData("api.contoso.com", "api.contoso.com..", false)]
    public void Matches_TrailingDot_NamesTheSameHost(string text, string host, bool expected)
    {
        var pattern = Parse(text);

        var matches = pattern.Matches(host);

        Assert.Equal(expected, matches);
    }

    private static HostPattern Parse(string text)
    {
        Assert.True(HostPattern.TryParse(text, out var pattern, out var error), error);
        return pattern;
    }

    [Theory]
    [InlineData("api.contoso.com", "API.contoso.com.", true)]
    [InlineData("api.contoso.com", "docs.contoso.com", false)]
    [InlineData("api.contoso.com", "*.contoso.com", true)]
    [InlineData("*.contoso.com", "api.contoso.com", true)]
    [InlineData("contoso.com", "*.contoso.com", false)]
    [InlineData("*.eu.contoso.com", "*.contoso.com", true)]
    [InlineData("*.contoso.com", "*.fabrikam.com", false)]
    [InlineData("*.contoso.com", "*.notcontoso.com", false)]
    public void Overlaps_SomeHostMatchedByBoth_IsTrue(string first, string second, bool expected)
    {
        var a = Parse(first);
        var b = Parse(second);

        var overlaps = (a.Overlaps(b), b.Overlaps(a));

        Assert.Equal((expected, expected), overlaps);
    }
}
