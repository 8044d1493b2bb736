using System.Net;
using System.Net.Http.Headers;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>
/// What the backend receives and what the client gets back: forwarded headers set by the gateway (a client
/// cannot forge them), headers nominated in <c>Connection</c> dropped, and the path rewritten per route.
/// </summary>
public sealed class GatewayTransformerTests
{
    private const string Destination = "http://backend/";

    // ---- X-Forwarded-* -------------------------------------------------------------------------------------

    [Fact]
    public async Task TransformRequestAsync_ClientSentForwardedHeaders_ReplacedByWhatTheGatewaySaw()
    {
        var context = NewContext();
        context.Request.Headers["X-Forwarded-For"] = "6.6.6.6";
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        context.Request.Headers["X-Forwarded-Host"] = "evil.example";
        context.Request.Headers["X-Forwarded-Prefix"] = "/evil";
        context.Request.Headers["Forwarded"] = "for=6.6.6.6;proto=https";
        context.Request.Headers["X-Real-IP"] = "6.6.6.6";
        context.Request.Headers["X-Original-For"] = "6.6.6.6";
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Equal(["203.0.113.7"], Values(request, "X-Forwarded-For"));
        Assert.Equal(["http"], Values(request, "X-Forwarded-Proto"));
        Assert.Equal(["gateway.contoso.com"], Values(request, "X-Forwarded-Host"));
        Assert.False(request.Headers.Contains("X-Forwarded-Prefix"));
        Assert.False(request.Headers.Contains("Forwarded"));
        Assert.False(request.Headers.Contains("X-Real-IP"));
        Assert.False(request.Headers.Contains("X-Original-For"));
    }

    [Fact]
    public async Task TransformRequestAsync_NoForwardedHeadersFromClient_AddsTheGatewaysValues()
    {
        var context = NewContext();
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("api.contoso.com", 8443);
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Equal(["203.0.113.7"], Values(request, "X-Forwarded-For"));
        Assert.Equal(["https"], Values(request, "X-Forwarded-Proto"));
        Assert.Equal(["api.contoso.com:8443"], Values(request, "X-Forwarded-Host"));
    }

    [Fact]
    public async Task TransformRequestAsync_ClientOnIPv4MappedIPv6Address_ForwardedForShowsIPv4()
    {
        var context = NewContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("::ffff:198.51.100.23");
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Equal(["198.51.100.23"], Values(request, "X-Forwarded-For"));
    }

    [Fact]
    public async Task TransformRequestAsync_ClientOnIPv6_ForwardedForShowsIPv6()
    {
        var context = NewContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("2001:db8::1");
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Equal(["2001:db8::1"], Values(request, "X-Forwarded-For"));
    }

    [Fact]
    public async Task TransformRequestAsync_NoRemoteAddress_ForwardedForIsNotInvented()
    {
        var context = NewContext();
        context.Connection.RemoteIpAddress = null;
        context.Request.Headers["X-Forwarded-For"] = "6.6.6.6";
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.False(request.Headers.Contains("X-Forwarded-For"));
    }

    [Fact]
    public async Task TransformRequestAsync_TrustForwardedHeaders_AppendsClientToTheExistingChain()
    {
        var context = NewContext();
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.1, 10.0.0.9";
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        context.Request.Headers["X-Forwarded-Host"] = "www.contoso.com";
        var request = new HttpRequestMessage();

        await Transformer(trustForwardedHeaders: true).TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Equal(["198.51.100.1, 10.0.0.9, 203.0.113.7"], Values(request, "X-Forwarded-For"));
        Assert.Equal(["https"], Values(request, "X-Forwarded-Proto"));
        Assert.Equal(["www.contoso.com"], Values(request, "X-Forwarded-Host"));
    }

    [Fact]
    public async Task TransformRequestAsync_TrustForwardedHeadersButNoneSent_AddsTheGatewaysValues()
    {
        var context = NewContext();
        var request = new HttpRequestMessage();

        await Transformer(trustForwardedHeaders: true).TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Equal(["203.0.113.7"], Values(request, "X-Forwarded-For"));
        Assert.Equal(["http"], Values(request, "X-Forwarded-Proto"));
        Assert.Equal(["gateway.contoso.com"], Values(request, "X-Forwarded-Host"));
    }

    [Fact]
    public async Task TransformRequestAsync_TrustForwardedHeadersWithoutRemoteAddress_KeepsTheChainAsSent()
    {
        var context = NewContext();
        context.Connection.RemoteIpAddress = null;
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.1";
        var request = new HttpRequestMessage();

        await Transformer(trustForwardedHeaders: true).TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Equal(["198.51.100.1"], Values(request, "X-Forwarded-For"));
    }

    [Fact]
    public async Task TransformRequestAsync_TrustForwardedHeadersWithNeitherChainNorRemoteAddress_SendsNoEmptyForwardedFor()
    {
        var context = NewContext();
        context.Connection.RemoteIpAddress = null;
        var request = new HttpRequestMessage();

        await Transformer(trustForwardedHeaders: true).TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.False(request.Headers.Contains("X-Forwarded-For"));
    }

    // ---- Host and Connection ---------------------------------------------------------------------------------

    [Fact]
    public async Task TransformRequestAsync_ClientHost_IsNotForwardedAsHost()
    {
        var context = NewContext();
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Null(request.Headers.Host);
        Assert.False(request.Headers.NonValidated.Contains("Host"));
    }

    [Fact]
    public async Task TransformRequestAsync_HeadersNominatedInConnection_AreNotForwarded()
    {
        var context = NewContext();
        context.Request.Headers.Connection = "x-secret, keep-alive";
        context.Request.Headers["X-Secret"] = "s3cr3t";
        context.Request.Headers["X-Other"] = "kept";
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.False(request.Headers.Contains("X-Secret"));
        Assert.False(request.Headers.Contains("Connection"));
        Assert.False(request.Headers.Contains("Keep-Alive"));
        Assert.Equal(["kept"], Values(request, "X-Other"));
    }

    [Fact]
    public async Task TransformRequestAsync_SeveralConnectionHeaderLines_AllNominationsApply()
    {
        var context = NewContext();
        context.Request.Headers.Connection = new Microsoft.Extensions.Primitives.StringValues(["x-a", "x-b"]);
        context.Request.Headers["X-A"] = "1";
        context.Request.Headers["X-B"] = "2";
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.False(request.Headers.Contains("X-A"));
        Assert.False(request.Headers.Contains("X-B"));
    }

    [Fact]
    public async Task TransformRequestAsync_ConnectionNominatesAContentHeader_RemovedFromTheContent()
    {
        var context = NewContext(HttpMethods.Post);
        context.Request.Headers.Connection = "content-language";
        context.Request.Headers.ContentLanguage = "de";
        var request = new HttpRequestMessage { Content = new ByteArrayContent([1, 2, 3]) };

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.False(request.Content.Headers.Contains("Content-Language"));
    }

    [Fact]
    public async Task TransformRequestAsync_ConnectionNominatesContentLength_ContentLengthIsKept()
    {
        var context = NewContext(HttpMethods.Post);
        context.Request.Headers.Connection = "content-length, x-secret";
        context.Request.ContentLength = 3;
        var request = new HttpRequestMessage { Content = new StreamContent(new UnknownLengthStream([1, 2, 3])) };

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.True(request.Content.Headers.NonValidated.Contains("Content-Length"));
        Assert.Equal(3, request.Content.Headers.ContentLength);
    }

    [Theory]
    [InlineData("x secret, x-a")]
    [InlineData("@bad@, x-a")]
    [InlineData("x-a, content-type")]
    [InlineData("accept, x-a")]
    public async Task TransformRequestAsync_ConnectionAlsoNamesAMalformedOrContentHeader_StillForwardsAndDropsTheOthers(string connection)
    {
        // A client chooses what it nominates; nothing it writes there may fail the request (YARP would answer 502).
        var context = NewContext(HttpMethods.Post);
        context.Request.Headers.Connection = connection;
        context.Request.Headers["X-A"] = "1";
        context.Request.Headers.ContentType = "application/json";
        context.Request.Headers.Accept = "application/json";
        var request = new HttpRequestMessage { Content = new ByteArrayContent([1, 2, 3]) };

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.False(request.Headers.Contains("X-A"));
        Assert.Equal(["203.0.113.7"], Values(request, "X-Forwarded-For"));
    }

    [Fact]
    public async Task TransformRequestAsync_ConnectionNominatesAContentHeaderWithoutBody_StillForwards()
    {
        var context = NewContext();
        context.Request.Headers.Connection = "content-type";
        context.Request.Headers.ContentType = "application/json";
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Equal(["203.0.113.7"], Values(request, "X-Forwarded-For"));
    }

    // ---- PathRewrite -------------------------------------------------------------------------------------------

    [Fact]
    public async Task TransformRequestAsync_NoPathRewrite_SendsTheRequestPathAndQueryAfterTheBasePath()
    {
        var context = NewContext();
        SetRoute(context, "/orders/{id}", rewrite: null);
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, "http://backend/api", CancellationToken.None);

        Assert.Equal("http://backend/api/orders/42?expand=lines", request.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task TransformRequestAsync_RouteWithPathRewrite_SendsTheRewrittenPathWithTheQuery()
    {
        var context = NewContext();
        SetRoute(context, "/orders/{id}", rewrite: "/v2/sales/orders/{id}");
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, "http://backend/api/", CancellationToken.None);

        Assert.Equal("http://backend/api/v2/sales/orders/42?expand=lines", request.RequestUri!.AbsoluteUri);
    }

    [Theory]
    [InlineData("/orders/a%2Fb", "/orders/a%2Fb", "/orders/a%2Fb")]
    [InlineData("/orders/%34%32", "/orders/42", "/orders/%34%32")]
    [InlineData("/orders/a%252e%252e", "/orders/a%2e%2e", "/orders/a%252e%252e")]
    [InlineData("/orders/caf%C3%A9", "/orders/café", "/orders/caf%C3%A9")]
    [InlineData("/orders/a\"b<c>#d", "/orders/a\"b<c>#d", "/orders/a%22b%3Cc%3E%23d")]
    [InlineData("/orders/100%", "/orders/100%", "/orders/100%25")]
    [InlineData("/orders/a;v=1", "/orders/a;v=1", "/orders/a;v=1")]
    [InlineData("http://gateway.contoso.com/orders/%7E42?x=1", "/orders/~42", "/orders/%7E42")]
    public async Task TransformRequestAsync_RawTarget_SendsThePathAsTheClientWroteIt(string rawTarget, string path, string sent)
    {
        var context = NewContext(rawTarget: rawTarget, path: path);
        SetRoute(context, "/orders/{id}", rewrite: null);
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Equal("http://backend" + sent + "?expand=lines", request.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task TransformRequestAsync_RawTargetAndPathRewrite_FillsTheRewriteWithTheSegmentsAsWritten()
    {
        var context = NewContext(rawTarget: "/ORDERS/a%2Fb%34%32", path: "/ORDERS/a%2Fb42");
        SetRoute(context, "/orders/{id}", rewrite: "/v2/sales/orders/{id}");
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, "http://backend/api/", CancellationToken.None);

        Assert.Equal("http://backend/api/v2/sales/orders/a%2Fb%34%32?expand=lines", request.RequestUri!.AbsoluteUri);
    }

    [Theory]
    [InlineData("/orders/../../admin")]
    [InlineData("/orders/./42")]
    public async Task TransformRequestAsync_DotSegments_AreNotCollapsedAfterMatching(string path)
    {
        // The request path guard refuses these before matching; should one slip through, the backend's base path is
        // not climbed out of by the gateway's own URI building.
        var context = NewContext(path: path);
        SetRoute(context, "/orders/{**rest}", rewrite: null);
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, "http://backend/api", CancellationToken.None);

        Assert.Equal("http://backend/api" + path + "?expand=lines", request.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task TransformRequestAsync_NoRawTarget_EncodesTheDecodedPathAsText()
    {
        var context = NewContext(path: "/orders/a%2Fb é");
        SetRoute(context, "/orders/{id}", rewrite: null);
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, Destination, CancellationToken.None);

        Assert.Equal("http://backend/orders/a%252Fb%20%C3%A9?expand=lines", request.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task TransformRequestAsync_QueryWithPathCharacters_StaysInTheQuery()
    {
        var context = NewContext(rawTarget: "/orders/42?next=/../../admin&p=%2F..%2F");
        context.Request.QueryString = new QueryString("?next=/../../admin&p=%2F..%2F");
        SetRoute(context, "/orders/{id}", rewrite: null);
        var request = new HttpRequestMessage();

        await Transformer().TransformRequestAsync(context, request, "http://backend/api", CancellationToken.None);

        Assert.Equal("/api/orders/42", request.RequestUri!.AbsolutePath);
        Assert.Equal("?next=/../../admin&p=%2F..%2F", request.RequestUri.Query);
    }

    // ---- Response --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task TransformResponseAsync_HeadersNominatedByTheBackendsConnection_AreNotSentToTheClient()
    {
        var context = NewContext();
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.Connection.Add("x-internal-trace");
        response.Headers.TryAddWithoutValidation("X-Internal-Trace", "node-7");
        response.Headers.TryAddWithoutValidation("X-Public", "yes");

        var proceed = await Transformer().TransformResponseAsync(context, response, CancellationToken.None);

        Assert.True(proceed);
        Assert.False(context.Response.Headers.ContainsKey("X-Internal-Trace"));
        Assert.False(context.Response.Headers.ContainsKey("Connection"));
        Assert.Equal("yes", context.Response.Headers["X-Public"].ToString());
    }

    [Fact]
    public async Task TransformResponseAsync_ConnectionNominatesContentLength_ContentLengthIsKept()
    {
        var context = NewContext();
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([1, 2, 3]) };
        response.Headers.Connection.Add("content-length");
        response.Content.Headers.ContentLength = 3;

        await Transformer().TransformResponseAsync(context, response, CancellationToken.None);

        Assert.Equal(3, context.Response.ContentLength);
    }

    private static GatewayTransformer Transformer(bool trustForwardedHeaders = false) =>
        new(Options.Create(new GatewayOptions { Forwarding = { TrustForwardedHeaders = trustForwardedHeaders } }),
            Options.Create(new FunctionsGateway.Authentication.AuthenticationOptions()));

    private static DefaultHttpContext NewContext(string method = "GET", string path = "/orders/42", string rawTarget = "")
    {
        var context = new DefaultHttpContext();
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget = rawTarget;
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Host = new HostString("gateway.contoso.com");
        context.Request.Path = new PathString(path);
        context.Request.QueryString = new QueryString("?expand=lines");
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
        return context;
    }

    private static void SetRoute(HttpContext context, string path, string? rewrite)
    {
        Assert.True(RouteTemplate.TryParse(path, out var template, out _));
        RouteTemplate? rewriteTemplate = null;
        if (rewrite is not null)
        {
            Assert.True(RouteTemplate.TryParse(rewrite, out rewriteTemplate, out _));
        }

        var route = new RouteDefinition
        {
            Id = new RowId("Routes", "public", "orders"),
            Path = template,
            Target = new PoolTarget("orders"),
            PathRewrite = rewriteTemplate,
        };
        context.Features.Set(new GatewayRequestFeature(GatewaySnapshot.Empty) { Route = route });
    }

    private static string[] Values(HttpRequestMessage request, string header) =>
        request.Headers.NonValidated.TryGetValues(header, out var values) ? [.. values] : [];

    // A body whose length the content cannot work out by itself, so Content-Length comes only from the header.
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
