using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Routing;

public class HeaderMatchTests
{
    [Fact]
    public void TryParse_NameAndValue_RequiresThatValue()
    {
        var parsed = HeaderMatch.TryParse("x-api-version=2", out var match, out var error);

        Assert.True(parsed, error);
        Assert.Equal(new HeaderMatch("x-api-version", "2"), match);
    }

    [Fact]
    public void TryParse_NameOnly_RequiresPresence()
    {
        var parsed = HeaderMatch.TryParse("x-beta", out var match, out var error);

        Assert.True(parsed, error);
        Assert.Equal(new HeaderMatch("x-beta", null), match);
    }

    [Fact]
    public void TryParse_WhitespaceAroundNameAndValue_IsTrimmed()
    {
        var parsed = HeaderMatch.TryParse(" x-api-version = 2 ", out var match, out var error);

        Assert.True(parsed, error);
        Assert.Equal(new HeaderMatch("x-api-version", "2"), match);
    }

    [Fact]
    public void TryParse_ValueContainingEquals_KeepsEverythingAfterTheFirstEquals()
    {
        var parsed = HeaderMatch.TryParse("x-filter=a=b", out var match, out var error);

        Assert.True(parsed, error);
        Assert.Equal(new HeaderMatch("x-filter", "a=b"), match);
    }

    [Theory]
    [InlineData("x-api-version=2")]
    [InlineData("x-beta")]
    public void ToString_ParsedCondition_ReadsAsWritten(string text)
    {
        Assert.True(HeaderMatch.TryParse(text, out var match, out _));

        var written = match.ToString();

        Assert.Equal(text, written);
    }

    [Theory]
    [InlineData("")]
    [InlineData("=2")]
    [InlineData(" =2")]
    [InlineData("x api=2")]
    [InlineData("x:api=2")]
    [InlineData("x(api)")]
    [InlineData("x-\u00e9t\u00e9")]
    public void TryParse_BadName_SaysWhatToWrite(string text)
    {
        var parsed = HeaderMatch.TryParse(text, out _, out var error);

        Assert.False(parsed);
        Assert.Equal($"'{text}' has no valid header name; write 'x-api-version=2' (exact value) or 'x-beta' (header present)", error);
    }

    [Theory]
    [InlineData("x-api-version=")]
    [InlineData("x-api-version=   ")]
    public void TryParse_EmptyValue_SaysUseNameAloneForPresence(string text)
    {
        var parsed = HeaderMatch.TryParse(text, out _, out var error);

        Assert.False(parsed);
        Assert.Equal($"'{text}' has an empty value; write 'name=value', or just 'name' to require that the header is present", error);
    }

    [Theory]
    [InlineData("x-beta", "1", true)]
    [InlineData("X-BETA", "", true)]
    [InlineData("x-other", "1", false)]
    public void Matches_PresenceCondition_TrueWhenHeaderIsPresentWithAnyValue(string sentName, string sentValue, bool expected)
    {
        var match = new HeaderMatch("x-beta", null);
        var headers = Headers((sentName, sentValue));

        var matches = match.Matches(headers);

        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("Preview", true)]
    [InlineData("PREVIEW", true)]
    [InlineData(" preview ", true)]
    [InlineData("preview2", false)]
    [InlineData("pre", false)]
    [InlineData("", false)]
    public void Matches_ValueCondition_ComparesTrimmedValueCaseInsensitively(string sentValue, bool expected)
    {
        var match = new HeaderMatch("x-api-version", "preview");
        var headers = Headers(("X-Api-Version", sentValue));

        var matches = match.Matches(headers);

        Assert.Equal(expected, matches);
    }

    [Fact]
    public void Matches_ValueConditionHeaderRepeated_TrueWhenAnyValueMatches()
    {
        var match = new HeaderMatch("x-api-version", "2");
        var headers = Headers(("x-api-version", "1"), ("x-api-version", "2"));

        var matches = match.Matches(headers);

        Assert.True(matches);
    }

    [Fact]
    public void Matches_ValueConditionHeaderMissing_False()
    {
        var match = new HeaderMatch("x-api-version", "2");
        var headers = Headers();

        var matches = match.Matches(headers);

        Assert.False(matches);
    }
}
