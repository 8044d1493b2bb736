using static FunctionsGateway.Routing.TestRoutes;

namespace FunctionsGateway.Routing;

public class PathRewriterTests
{
    [Fact]
    public void Rewrite_LiteralsOnly_ReturnsRewriteTemplate()
    {
        var matched = Template("/status");
        var rewrite = Template("/internal/health");

        var path = PathRewriter.Rewrite(matched, rewrite, "/status");

        Assert.Equal("/internal/health", path);
    }

    [Fact]
    public void Rewrite_Parameter_IsReplacedByItsSegment()
    {
        var matched = Template("/orders/{id}");
        var rewrite = Template("/v2/orders/{id}");

        var path = PathRewriter.Rewrite(matched, rewrite, "/orders/42");

        Assert.Equal("/v2/orders/42", path);
    }

    [Fact]
    public void Rewrite_SeveralParameters_CanBeReorderedAndDropped()
    {
        var matched = Template("/tenants/{tenant}/orders/{id}/lines/{line}");
        var rewrite = Template("/orders/{id}/tenant/{tenant}");

        var path = PathRewriter.Rewrite(matched, rewrite, "/tenants/acme/orders/42/lines/7");

        Assert.Equal("/orders/42/tenant/acme", path);
    }

    [Fact]
    public void Rewrite_ParameterNameInOtherCase_StillRefersToIt()
    {
        var matched = Template("/orders/{orderId}");
        var rewrite = Template("/v2/{ORDERID}");

        var path = PathRewriter.Rewrite(matched, rewrite, "/orders/42");

        Assert.Equal("/v2/42", path);
    }

    [Fact]
    public void Rewrite_RequestLiteralInOtherCase_KeepsRequestValuesAndRewriteLiterals()
    {
        var matched = Template("/orders/{id}");
        var rewrite = Template("/V2/Orders/{id}");

        var path = PathRewriter.Rewrite(matched, rewrite, "/ORDERS/AbC");

        Assert.Equal("/V2/Orders/AbC", path);
    }

    [Theory]
    [InlineData("/files/a", "/storage/a")]
    [InlineData("/files/a/b/c.txt", "/storage/a/b/c.txt")]
    [InlineData("/files/a/b/", "/storage/a/b/")]
    [InlineData("/files//a", "/storage//a")]
    public void Rewrite_CatchAll_IsReplacedByTheRawRemainder(string requestPath, string expected)
    {
        var matched = Template("/files/{**rest}");
        var rewrite = Template("/storage/{**rest}");

        var path = PathRewriter.Rewrite(matched, rewrite, requestPath);

        Assert.Equal(expected, path);
    }

    [Fact]
    public void Rewrite_SingleStarCatchAll_IsReplacedLikeDoubleStar()
    {
        var matched = Template("/files/{*rest}");
        var rewrite = Template("/storage/{*rest}");

        var path = PathRewriter.Rewrite(matched, rewrite, "/files/a/b");

        Assert.Equal("/storage/a/b", path);
    }

    [Theory]
    [InlineData("/files")]
    [InlineData("/files/")]
    public void Rewrite_EmptyCatchAll_LeavesNoDanglingSlash(string requestPath)
    {
        var matched = Template("/files/{**rest}");
        var rewrite = Template("/v2/{**rest}");

        var path = PathRewriter.Rewrite(matched, rewrite, requestPath);

        Assert.Equal("/v2", path);
    }

    [Fact]
    public void Rewrite_EmptyCatchAllIntoRootCatchAll_ReturnsRoot()
    {
        var matched = Template("/files/{**rest}");
        var rewrite = Template("/{**rest}");

        var path = PathRewriter.Rewrite(matched, rewrite, "/files");

        Assert.Equal("/", path);
    }

    [Fact]
    public void Rewrite_CatchAllUsedAsMiddleSegment_EmptyValueDropsTheSegment()
    {
        var matched = Template("/files/{**rest}");
        var rewrite = Template("/a/{rest}/b");

        var path = PathRewriter.Rewrite(matched, rewrite, "/files");

        Assert.Equal("/a/b", path);
    }

    [Fact]
    public void Rewrite_ToRootTemplate_ReturnsRoot()
    {
        var matched = Template("/orders/{id}");
        var rewrite = Template("/");

        var path = PathRewriter.Rewrite(matched, rewrite, "/orders/42");

        Assert.Equal("/", path);
    }

    [Fact]
    public void Rewrite_RootMatchedTemplate_AcceptsRootAndEmptyPath()
    {
        var matched = Template("/");
        var rewrite = Template("/home");

        var paths = (PathRewriter.Rewrite(matched, rewrite, "/"), PathRewriter.Rewrite(matched, rewrite, ""));

        Assert.Equal(("/home", "/home"), paths);
    }

    [Fact]
    public void Rewrite_TrailingSlashOnParameterRoute_IsNotCarriedOver()
    {
        var matched = Template("/orders/{id}");
        var rewrite = Template("/v2/orders/{id}");

        var path = PathRewriter.Rewrite(matched, rewrite, "/orders/42/");

        Assert.Equal("/v2/orders/42", path);
    }

    [Fact]
    public void Rewrite_PathLongerThanStackBuffer_IsBuiltCompletely()
    {
        var matched = Template("/files/{**rest}");
        var rewrite = Template("/storage/{**rest}");
        var remainder = string.Join('/', Enumerable.Repeat("segment", 200));

        var path = PathRewriter.Rewrite(matched, rewrite, "/files/" + remainder);

        Assert.Equal("/storage/" + remainder, path);
    }

    [Fact]
    public void Rewrite_UnknownParameter_ThrowsNamingIt()
    {
        var matched = Template("/orders/{id}");
        var rewrite = Template("/v2/{orderId}");

        var exception = Assert.Throws<InvalidOperationException>(() => PathRewriter.Rewrite(matched, rewrite, "/orders/42"));

        Assert.Contains("uses 'orderId', which the matched template '/orders/{id}' does not define", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/customers/42")]
    [InlineData("/orders")]
    [InlineData("/orders/42/lines")]
    [InlineData("/orders//")]
    public void Rewrite_PathTheTemplateDoesNotMatch_Throws(string requestPath)
    {
        var matched = Template("/orders/{id}");
        var rewrite = Template("/v2/{id}");

        var exception = Assert.Throws<InvalidOperationException>(() => PathRewriter.Rewrite(matched, rewrite, requestPath));

        Assert.Contains($"'{requestPath}' does not match the template '/orders/{{id}}'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rewrite_AnyRewrite_AllocatesOnlyTheResultString()
    {
        var matched = Template("/tenants/{tenant}/files/{**rest}");
        var rewrite = Template("/storage/{tenant}/{**rest}");
        const string RequestPath = "/tenants/acme/files/a/b/c.txt";
        var expected = PathRewriter.Rewrite(matched, rewrite, RequestPath);
        var copyBefore = GC.GetAllocatedBytesForCurrentThread();
        _ = new string(expected.AsSpan());
        var oneStringOfThatLength = GC.GetAllocatedBytesForCurrentThread() - copyBefore;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var path = PathRewriter.Rewrite(matched, rewrite, RequestPath);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(("/storage/acme/a/b/c.txt", oneStringOfThatLength), (path, allocated));
    }

    [Fact]
    public void Rewrite_SentPath_ValuesAreTakenAsTheClientWroteThem()
    {
        var matched = Template("/Files/{dir}/{**rest}");
        var rewrite = Template("/public/{dir}/{**rest}");

        var path = PathRewriter.Rewrite(matched, rewrite, "/files/a%2Fb/café/x/", "/%66iles/a%2Fb/caf%C3%A9/x/");

        Assert.Equal("/public/a%2Fb/caf%C3%A9/x/", path);
    }

    [Theory]
    [InlineData("/files/a/b", "/files/a%2Fb")]
    [InlineData("/files/a", "/files/a/b")]
    [InlineData("/files/a", "/files")]
    public void Rewrite_SentPathWithOtherSegments_Throws(string matchedPath, string sentPath)
    {
        var matched = Template("/files/{dir}/{**rest}");
        var rewrite = Template("/public/{dir}/{**rest}");

        var error = Assert.Throws<InvalidOperationException>(() => PathRewriter.Rewrite(matched, rewrite, matchedPath, sentPath));

        Assert.Contains("request path guard", error.Message, StringComparison.Ordinal);
    }
}
