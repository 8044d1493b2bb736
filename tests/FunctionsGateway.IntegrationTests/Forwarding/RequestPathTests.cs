using System.Collections.Concurrent;
using System.Text.Json;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FunctionsGateway.IntegrationTests.Forwarding;

/// <summary>
/// The backend receives the path that was matched, nothing else: paths a backend could read otherwise are refused
/// before matching, and the rest reaches the backend exactly as the client wrote it, inside the route's PathRewrite
/// prefix and the backend's base path. Requests are sent as raw bytes (HttpClient would tidy them up) to the DevHost's
/// gateway; the backend records the raw target of everything it receives.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RequestPathTests(AzuriteFixture azurite)
{
    private const string KeepBoth = "keep";

    // ---- Refused before matching (default settings) ----------------------------------------------------------------

    [Theory]
    [InlineData("/a/../admin", "'..' segment")]
    [InlineData("/a/%2e%2e/admin", "'..' segment")]
    [InlineData("/a/.%2E/admin", "'..' segment")]
    [InlineData("/a/./b", "'..' segment")]
    [InlineData("/files/../../x", "'..' segment")]
    [InlineData("/files/%2e%2e/%2e%2e/x", "'..' segment")]
    [InlineData("/files/..%2F..%2F..%2Fx", "'..' segment")]
    [InlineData("/files/a/..\\..\\..\\x", "'..' segment")]
    [InlineData("/files/..;/x", "'..' segment")]
    [InlineData("http://gateway.test/a/..%2F..%2Fadmin", "'..' segment")]
    [InlineData("http://gateway.test/files/%2e%2e%2f%2e%2e%2fx", "'..' segment")]
    [InlineData("/files/a%2Fb", "encoded slash")]
    [InlineData("/files/a%2fb", "encoded slash")]
    [InlineData("/files/a%5Cb", "encoded slash")]
    [InlineData("/files/a%252Fb", "encoded slash")]
    [InlineData("/files/a\\b", "backslash")]
    [InlineData("/files/a;jsessionid=x/b", "';'")]
    [InlineData("/files/a%3Bjsessionid=x", "';'")]
    [InlineData("/files/a%09b", "control character")]
    [InlineData("http://gateway.test/files/a%00", "control character")]
    [InlineData("/files/%C0%AE%C0%AE/x", "not UTF-8")]
    public async Task Attack_IsRefusedWith400InvalidPath_AndNothingReachesTheBackend(string target, string detail)
    {
        await using var setup = await StartAsync();

        var response = await SendAsync(setup.Gateway, target);

        AssertInvalidPath(response, detail);
        Assert.Empty(setup.Received);
    }

    [Fact]
    public async Task NulInOriginFormPath_IsRefusedByTheServer_AndNothingReachesTheBackend()
    {
        await using var setup = await StartAsync();

        var response = await SendAsync(setup.Gateway, "/files/a%00b");

        // Kestrel answers an origin-form %00 with its own 400 before the gateway sees the request.
        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Empty(setup.Received);
    }

    // ---- Forwarded exactly as matched -----------------------------------------------------------------------------

    [Theory]
    [InlineData("/files/a/b.txt?x=1", "/base/public/a/b.txt?x=1")]
    [InlineData("/files/a/%252e%252e/admin", "/base/public/a/%252e%252e/admin")]
    [InlineData("/files/caf%C3%A9/%7Euser", "/base/public/caf%C3%A9/%7Euser")]
    [InlineData("/files/a\"b<c>", "/base/public/a%22b%3Cc%3E")]
    [InlineData("/files/x?next=/../../admin&p=..%2F..%2F", "/base/public/x?next=/../../admin&p=..%2F..%2F")]
    [InlineData("/files", "/base/public")]
    [InlineData("/other/a/b", "/base/other/a/b")]
    [InlineData("http://gateway.test/files/a?x=1", "/base/public/a?x=1")]
    public async Task OrdinaryPath_ReachesTheBackendAsWritten_InsideTheRewriteAndBasePath(string target, string received)
    {
        await using var setup = await StartAsync();

        var response = await SendAsync(setup.Gateway, target);

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Equal([received], setup.Received);
    }

    // ---- Gateway__Paths__EncodedSlashes = Keep, Gateway__Paths__PathParameters = Keep --------------------------------

    [Theory]
    [InlineData("/files/group%2Fproject/raw", "/base/public/group%2Fproject/raw")]
    [InlineData("/files/a%5Cb", "/base/public/a%5Cb")]
    [InlineData("/files/a\\b", "/base/public/a%5Cb")]
    [InlineData("/files/a%252Fb", "/base/public/a%252Fb")]
    [InlineData("/files/a;jsessionid=x/b", "/base/public/a;jsessionid=x/b")]
    [InlineData("/items/a%2Fb", "/base/item/a%2Fb")]
    public async Task KeptCharacters_ReachTheBackendAsSent(string target, string received)
    {
        await using var setup = await StartAsync(KeepBoth);

        var response = await SendAsync(setup.Gateway, target);

        Assert.StartsWith("HTTP/1.1 200", response, StringComparison.Ordinal);
        Assert.Equal([received], setup.Received);
    }

    [Fact]
    public async Task KeptEncodedSlash_StaysInsideOneSegmentForMatching()
    {
        // /items/{id} takes exactly one segment: matched as two segments, /items/a%2Fb would get 404.
        await using var setup = await StartAsync(KeepBoth, withCatchAll: false);

        var oneSegment = await SendAsync(setup.Gateway, "/items/a%2Fb");
        var twoSegments = await SendAsync(setup.Gateway, "/items/a/b");

        Assert.StartsWith("HTTP/1.1 200", oneSegment, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404", twoSegments, StringComparison.Ordinal);
        Assert.Equal(["/base/item/a%2Fb"], setup.Received);
    }

    [Theory]
    [InlineData("/files/..%2F..%2Fx", "'..' segment")]
    [InlineData("/files/..%5C..%5Cx", "'..' segment")]
    [InlineData("/files/..;/x", "'..' segment")]
    [InlineData("/files/a/%2e%2e/x", "'..' segment")]
    [InlineData("http://gateway.test/files/a%2Fb", "absolute-form")]
    [InlineData("/files/a%00b%09", "control character")]
    public async Task KeptCharacters_StillRefuseDotSegmentsAndAbsoluteFormSlashes(string target, string detail)
    {
        await using var setup = await StartAsync(KeepBoth);

        var response = await SendAsync(setup.Gateway, target);

        if (target.Contains("%00", StringComparison.Ordinal))
        {
            Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        }
        else
        {
            AssertInvalidPath(response, detail);
        }

        Assert.Empty(setup.Received);
    }

    // ---- Helpers ---------------------------------------------------------------------------------------------------

    private static void AssertInvalidPath(string response, string detail)
    {
        Assert.StartsWith("HTTP/1.1 400", response, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", response, StringComparison.OrdinalIgnoreCase);
        // The body comes chunked: the problem object lies between its first '{' and its last '}'.
        var body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.True(body.Contains('{', StringComparison.Ordinal), response);
        var json = JsonDocument.Parse(body[body.IndexOf('{', StringComparison.Ordinal)..(body.LastIndexOf('}') + 1)]).RootElement;
        Assert.Equal("invalid_path", json.GetProperty("code").GetString());
        Assert.Contains(detail, json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static Task<string> SendAsync(GatewayUnderTest gateway, string target) =>
        RawHttp.SendAsync(gateway.BaseAddress, $"GET {target} HTTP/1.1\nHost: gateway.test\nConnection: close\n\n");

    /// <summary>
    /// A backend recording raw targets, and a gateway with <c>/files/{**rest}</c> → <c>/public/{**rest}</c>,
    /// <c>/items/{id}</c> → <c>/item/{id}</c> and (unless told otherwise) <c>/{**rest}</c>, all to the backend's
    /// <c>/base</c>.
    /// </summary>
    private async Task<Setup> StartAsync(string? keep = null, bool withCatchAll = true)
    {
        var received = new ConcurrentQueue<string>();
        var backend = await TestBackend.StartAsync(async context =>
        {
            received.Enqueue(context.Features.Get<IHttpRequestFeature>()!.RawTarget);
            await context.Response.WriteAsync("ok");
        });
        var baseUrl = backend.Url + "base";
        var settings = keep is null ? null : new Dictionary<string, string?>
        {
            ["Gateway:Paths:EncodedSlashes"] = "Keep",
            ["Gateway:Paths:PathParameters"] = "Keep",
        };
        var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
        {
            await t.AddRouteAsync("files", ("Path", "/files/{**rest}"), ("Backend", baseUrl), ("PathRewrite", "/public/{**rest}"));
            await t.AddRouteAsync("items", ("Path", "/items/{id}"), ("Backend", baseUrl), ("PathRewrite", "/item/{id}"));
            if (withCatchAll)
            {
                await t.AddRouteAsync("all", ("Path", "/{**rest}"), ("Backend", baseUrl));
            }
        }, settings);
        return new Setup(backend, gateway, received);
    }

    private sealed record Setup(TestBackend Backend, GatewayUnderTest Gateway, ConcurrentQueue<string> Received) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Backend.DisposeAsync();
        }
    }
}
