using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FunctionsGateway.Core.Tests.Pipeline;

/// <summary>
/// Which request paths are refused before matching. Each case gives the raw target as the client sent it and the
/// decoded path Kestrel made of it (both as measured on Kestrel), because the guard reads both.
/// </summary>
public sealed class RequestPathGuardTests
{
    // ---- Always accepted -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/orders/42", "/orders/42")]
    [InlineData("/files/report.v2.pdf", "/files/report.v2.pdf")]
    [InlineData("/files/.well-known/...", "/files/.well-known/...")]
    [InlineData("/a/%252e%252e/admin", "/a/%2e%2e/admin")]
    [InlineData("/caf%C3%A9/%F0%9F%98%80", "/café/😀")]
    [InlineData("/a%20b/%3F", "/a b/?")]
    [InlineData("/orders/", "/orders/")]
    [InlineData("//x", "//x")]
    [InlineData("/x?q=/../../admin;%2F%5C%00", "/x")]
    [InlineData("http://gateway.test/orders/42?x=..%2F", "/orders/42")]
    [InlineData("http://gateway.test", "/")]
    public void Check_OrdinaryPath_Passes(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard().Check(request);

        Assert.Null(error);
    }

    // ---- Always refused --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/a/../admin", "/admin")]
    [InlineData("/a/..", "/")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/./a", "/a")]
    [InlineData("/a/%2e%2e/admin", "/admin")]
    [InlineData("/a/%2E%2E/admin", "/admin")]
    [InlineData("/a/.%2E/admin", "/admin")]
    [InlineData("/a/%2e./admin", "/admin")]
    [InlineData("/a/%2e/b", "/a/b")]
    [InlineData("/a/..;/admin", "/a/..;/admin")]
    [InlineData("/a/..\\..\\admin", "/a/..\\..\\admin")]
    [InlineData("/a/..%2F..%2Fadmin", "/a/..%2F..%2Fadmin")]
    [InlineData("http://gateway.test/a/..%2F..%2Fadmin", "/a/../../admin")]
    [InlineData("http://gateway.test/a/%2e%2e%2f%2e%2e%2fadmin", "/a/../../admin")]
    [InlineData("http://gateway.test/a/../../admin", "/admin")]
    [InlineData("http://gateway.test/a/%2e%2e/admin", "/admin")]
    public void Check_DotSegmentInAnyEncoding_IsRefused(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard().Check(request);

        Assert.Same(RequestPathGuard.ErrorFor(PathProblem.DotSegment), error);
    }

    [Theory]
    [InlineData("/a/..%2F..%2Fadmin", "/a/..%2F..%2Fadmin")]
    [InlineData("/a/%2e%2e%5cadmin", "/a/..\\admin")]
    [InlineData("/a/..\\b", "/a/..\\b")]
    public void Check_DotSegmentEndedByAnEncodedSlash_IsRefusedEvenWhenSlashesAreKept(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard(encodedSlashes: "Keep").Check(request);

        Assert.Same(RequestPathGuard.ErrorFor(PathProblem.DotSegment), error);
    }

    [Theory]
    [InlineData("/a/%00/b", "/a/\0/b")]
    [InlineData("/a/%0A", "/a/\n")]
    [InlineData("/a/%09b", "/a/\tb")]
    [InlineData("/a/%7F", "/a/\u007f")]
    [InlineData("/a/%C2%85", "/a/\u0085")]
    [InlineData("http://gateway.test/a/%00", "/a/\0")]
    public void Check_ControlCharacter_IsRefused(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard(encodedSlashes: "Keep", pathParameters: "Keep").Check(request);

        Assert.Same(RequestPathGuard.ErrorFor(PathProblem.ControlCharacter), error);
    }

    [Theory]
    [InlineData("/a/%C0%AE%C0%AE/b", "/a/%C0%AE%C0%AE/b")]
    [InlineData("/a/%C0%AF", "/a/%C0%AF")]
    [InlineData("/a/%E0%80%AE", "/a/%E0%80%AE")]
    [InlineData("/a/%FF", "/a/%FF")]
    [InlineData("/a/%AE", "/a/%AE")]
    [InlineData("/a/%C3", "/a/%C3")]
    [InlineData("/a/%C3%28", "/a/%C3%28")]
    [InlineData("/a/%ED%A0%80", "/a/%ED%A0%80")]
    public void Check_PercentEncodedBytesThatAreNotUtf8_AreRefused(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard().Check(request);

        Assert.Same(RequestPathGuard.ErrorFor(PathProblem.InvalidUtf8), error);
    }

    // ---- Gateway__Paths__EncodedSlashes ----------------------------------------------------------------------------

    [Theory]
    [InlineData("/a%2Fb", "/a%2Fb")]
    [InlineData("/a%2fb", "/a%2fb")]
    [InlineData("/a%5Cb", "/a\\b")]
    [InlineData("/a%5cb", "/a\\b")]
    [InlineData("/a%252Fb", "/a%2Fb")]
    [InlineData("/a%255Cb", "/a%5Cb")]
    public void Check_EncodedSlashByDefault_IsRefused(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard().Check(request);

        Assert.Same(RequestPathGuard.ErrorFor(PathProblem.EncodedSlash), error);
    }

    [Theory]
    [InlineData("/a\\b", "/a\\b")]
    [InlineData("/a/b\\", "/a/b\\")]
    public void Check_RawBackslashByDefault_IsRefused(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard().Check(request);

        Assert.Same(RequestPathGuard.ErrorFor(PathProblem.Backslash), error);
    }

    [Theory]
    [InlineData("/repos/group%2Fproject/files", "/repos/group%2Fproject/files")]
    [InlineData("/a%5Cb", "/a\\b")]
    [InlineData("/a\\b", "/a\\b")]
    [InlineData("/a%252Fb", "/a%2Fb")]
    public void Check_EncodedSlashWhenKept_Passes(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard(encodedSlashes: "Keep").Check(request);

        Assert.Null(error);
    }

    [Theory]
    [InlineData("http://gateway.test/a%2Fb", "/a/b")]
    [InlineData("http://gateway.test/a%5Cb", "/a\\b")]
    [InlineData("http://gateway.test/a\\b", "/a/b")]
    public void Check_EncodedSlashInAbsoluteForm_IsRefusedEvenWhenKept(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard(encodedSlashes: "Keep").Check(request);

        Assert.Same(RequestPathGuard.ErrorFor(PathProblem.EncodedSlashInAbsoluteForm), error);
    }

    // ---- Gateway__Paths__PathParameters ----------------------------------------------------------------------------

    [Theory]
    [InlineData("/a;jsessionid=x/b", "/a;jsessionid=x/b")]
    [InlineData("/a%3Bjsessionid=x", "/a;jsessionid=x")]
    [InlineData("/orders/42;v=1", "/orders/42;v=1")]
    [InlineData("http://gateway.test/a;x=1", "/a;x=1")]
    public void Check_PathParameterByDefault_IsRefused(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard().Check(request);

        Assert.Same(RequestPathGuard.ErrorFor(PathProblem.PathParameter), error);
    }

    [Theory]
    [InlineData("/a;jsessionid=x/b", "/a;jsessionid=x/b")]
    [InlineData("/a%3Bx", "/a;x")]
    [InlineData("/;/x", "/;/x")]
    public void Check_PathParameterWhenKept_Passes(string rawTarget, string path)
    {
        var request = Request(rawTarget, path);

        var error = Guard(pathParameters: "Keep").Check(request);

        Assert.Null(error);
    }

    [Fact]
    public void Check_DotSegmentBeforeAPathParameterWhenKept_IsRefused()
    {
        // Backends that strip path parameters read "..;x" as "..".
        var request = Request("/a/..;x/admin", "/a/..;x/admin");

        var error = Guard(pathParameters: "Keep").Check(request);

        Assert.Same(RequestPathGuard.ErrorFor(PathProblem.DotSegment), error);
    }

    // ---- Without a raw target --------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/a/../b", "DotSegment")]
    [InlineData("/a/\0", "ControlCharacter")]
    [InlineData("/a%2Fb", "EncodedSlash")]
    [InlineData("/a\\b", "Backslash")]
    [InlineData("/a;b", "PathParameter")]
    public void Check_NoRawTarget_TheDecodedPathIsStillChecked(string path, string expected)
    {
        var request = Request(rawTarget: string.Empty, path);

        var error = Guard().Check(request);

        Assert.Same(RequestPathGuard.ErrorFor(Enum.Parse<PathProblem>(expected)), error);
    }

    // ---- Cost ------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/orders/42/lines/7", "/orders/42/lines/7")]
    [InlineData("/files/caf%C3%A9/report.v2.pdf", "/files/café/report.v2.pdf")]
    [InlineData("/a/..", "/")]
    [InlineData("/a%2Fb", "/a%2Fb")]
    public void Check_AcceptedOrRefused_AllocatesNothing(string rawTarget, string path)
    {
        var guard = Guard();
        var request = Request(rawTarget, path);
        guard.Check(request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            guard.Check(request);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    // ---- The answer ------------------------------------------------------------------------------------------------

    [Fact]
    public void Check_RefusedPath_Answers400InvalidPathSayingWhatIsWrong()
    {
        var request = Request("/a/%2e%2e/admin", "/admin");

        var error = Guard().Check(request);

        Assert.NotNull(error);
        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_path", error.Code);
        Assert.Contains("'..' segment", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Reject", "Maybe")]
    [InlineData("Allow", "Keep")]
    public void Constructor_UnvalidatedSetting_Throws(string encodedSlashes, string pathParameters)
    {
        var options = new PathOptions { EncodedSlashes = encodedSlashes, PathParameters = pathParameters };

        Assert.Throws<ArgumentException>(() => new RequestPathGuard(options));
    }

    private static RequestPathGuard Guard(string encodedSlashes = "Reject", string pathParameters = "Reject") =>
        new(new PathOptions { EncodedSlashes = encodedSlashes, PathParameters = pathParameters });

    private static HttpRequest Request(string rawTarget, string path)
    {
        var context = new DefaultHttpContext();
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        // As Kestrel sets it: the implicit conversion from string would decode it once more.
        context.Request.Path = new PathString(path);
        return context.Request;
    }
}
