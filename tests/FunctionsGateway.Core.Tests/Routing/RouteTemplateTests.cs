namespace FunctionsGateway.Routing;

public class RouteTemplateTests
{
    [Fact]
    public void TryParse_Root_HasNoSegments()
    {
        var parsed = RouteTemplate.TryParse("/", out var template, out _);

        Assert.True(parsed);
        Assert.Empty(template.Segments);
        Assert.False(template.EndsWithCatchAll);
    }

    [Fact]
    public void TryParse_LiteralsAndParameters_ReturnsSegmentsInOrder()
    {
        TemplateSegment[] expected =
        [
            new(TemplateSegmentKind.Literal, "tenants"),
            new(TemplateSegmentKind.Parameter, "tenant"),
            new(TemplateSegmentKind.Literal, "orders"),
            new(TemplateSegmentKind.Parameter, "id"),
        ];

        var parsed = RouteTemplate.TryParse("/tenants/{tenant}/orders/{id}", out var template, out var error);

        Assert.True(parsed, error);
        Assert.Equal(expected, template.Segments.ToArray());
        Assert.Equal(["tenant", "id"], template.ParameterNames);
    }

    [Theory]
    [InlineData("/files/{**rest}")]
    [InlineData("/files/{*rest}")]
    public void TryParse_CatchAll_IsLastSegmentNamedWithoutStars(string text)
    {
        var parsed = RouteTemplate.TryParse(text, out var template, out var error);

        Assert.True(parsed, error);
        Assert.Equal(new TemplateSegment(TemplateSegmentKind.CatchAll, "rest"), template.Segments[^1]);
        Assert.True(template.EndsWithCatchAll);
    }

    [Fact]
    public void TryParse_TrailingSlash_IsIgnoredButTextIsKept()
    {
        var parsed = RouteTemplate.TryParse("/orders/", out var template, out _);

        Assert.True(parsed);
        Assert.Equal([new TemplateSegment(TemplateSegmentKind.Literal, "orders")], template.Segments.ToArray());
        Assert.Equal("/orders/", template.Text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void TryParse_Empty_SaysItIsEmpty(string? text)
    {
        var parsed = RouteTemplate.TryParse(text, out _, out var error);

        Assert.False(parsed);
        Assert.Equal("is empty; write a path such as /orders/{id} or /files/{**rest}", error);
    }

    [Fact]
    public void TryParse_NoLeadingSlash_SuggestsAddingIt()
    {
        var parsed = RouteTemplate.TryParse("orders/{id}", out _, out var error);

        Assert.False(parsed);
        Assert.Equal("'orders/{id}' must start with '/', for example '/orders/{id}'", error);
    }

    [Theory]
    [InlineData("/orders?id=1")]
    [InlineData("/orders#top")]
    [InlineData("/orders/{id}?expand=lines")]
    public void TryParse_QueryOrFragment_SaysPathOnly(string text)
    {
        var parsed = RouteTemplate.TryParse(text, out _, out var error);

        Assert.False(parsed);
        Assert.Equal($"'{text}' must be a path only, without a query string or fragment", error);
    }

    [Theory]
    [InlineData("/files/..", "..")]
    [InlineData("/files/./x", ".")]
    [InlineData("/public/%2e%2e/{**rest}", "%2e%2e")]
    [InlineData("/a/.%2E", ".%2E")]
    public void TryParse_DotSegment_SaysWriteThePathWithoutIt(string text, string segment)
    {
        var parsed = RouteTemplate.TryParse(text, out _, out var error);

        Assert.False(parsed);
        Assert.Equal($"'{text}': the segment '{segment}' is a dot segment, which URLs resolve away; write the path without '.' and '..' segments", error);
    }

    [Theory]
    [InlineData("/files/.well-known/{**rest}")]
    [InlineData("/files/...")]
    [InlineData("/v1.0/{id}")]
    public void TryParse_DotsInsideASegment_AreOrdinaryText(string text)
    {
        var parsed = RouteTemplate.TryParse(text, out _, out var error);

        Assert.True(parsed, error);
    }

    [Theory]
    [InlineData("/orders//lines")]
    [InlineData("//")]
    public void TryParse_EmptySegment_SaysRemoveTheExtraSlash(string text)
    {
        var parsed = RouteTemplate.TryParse(text, out _, out var error);

        Assert.False(parsed);
        Assert.Equal($"'{text}' has an empty segment ('//'); remove the extra '/'", error);
    }

    [Theory]
    [InlineData("/files/{name}.{ext}", "{name}.{ext}")]
    [InlineData("/files/v{version}", "v{version}")]
    [InlineData("/files/{name", "{name")]
    [InlineData("/files/name}", "name}")]
    [InlineData("/files/{{name}}", "{{name}}")]
    public void TryParse_MixedSegment_SaysParameterMustFillTheSegment(string text, string segment)
    {
        var parsed = RouteTemplate.TryParse(text, out _, out var error);

        Assert.False(parsed);
        Assert.Equal($"'{text}': the segment '{segment}' must be either plain text or exactly one {{parameter}} filling the whole segment", error);
    }

    [Theory]
    [InlineData("/orders/{}", "{}")]
    [InlineData("/orders/{**}", "{**}")]
    [InlineData("/orders/{*}", "{*}")]
    [InlineData("/orders/{1id}", "{1id}")]
    [InlineData("/orders/{order-id}", "{order-id}")]
    [InlineData("/orders/{id?}", "{id?}")]
    [InlineData("/orders/{id:int}", "{id:int}")]
    [InlineData("/orders/{***rest}", "{***rest}")]
    public void TryParse_BadParameterName_SaysWhatANameIs(string text, string segment)
    {
        var parsed = RouteTemplate.TryParse(text, out _, out var error);

        Assert.False(parsed);
        Assert.StartsWith($"'{text}': the parameter '{segment}' needs a name of letters, digits and '_' (not starting with a digit)", error, StringComparison.Ordinal);
        Assert.EndsWith("optional (?) and constrained (:int) parameters are not supported", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_CatchAllBeforeTheEnd_SaysItMustBeLast()
    {
        var parsed = RouteTemplate.TryParse("/files/{**rest}/meta", out _, out var error);

        Assert.False(parsed);
        Assert.Equal("'/files/{**rest}/meta': the catch-all '{**rest}' must be the last segment", error);
    }

    [Theory]
    [InlineData("/orders/{id}/lines/{id}", "id")]
    [InlineData("/orders/{id}/lines/{ID}", "ID")]
    [InlineData("/orders/{rest}/{**rest}", "rest")]
    public void TryParse_DuplicateParameter_SaysGiveEachItsOwnName(string text, string name)
    {
        var parsed = RouteTemplate.TryParse(text, out _, out var error);

        Assert.False(parsed);
        Assert.Equal($"'{text}': the parameter '{name}' appears twice; give each parameter its own name", error);
    }
}
