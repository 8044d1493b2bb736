using System.Diagnostics;
using System.Text.Json;
using FunctionsGateway.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace FunctionsGateway.Core.Tests.Pipeline;

/// <summary>How the gateway answers its own errors: an RFC 9457 problem+json body with a stable code and the trace id.</summary>
public sealed class ProblemDetailsWriterTests
{
    [Fact]
    public async Task WriteAsync_Error_WritesProblemJsonWithEveryMember()
    {
        var context = NewContext();
        context.TraceIdentifier = "0HNABC:00000001";
        Activity.Current = null;

        await ProblemDetailsWriter.WriteAsync(context, GatewayError.BackendTimeout);

        Assert.Equal(504, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
        using var body = await ReadBodyAsync(context);
        var json = body.RootElement;
        Assert.Equal(["type", "title", "status", "detail", "code", "traceId"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("urn:functionsgateway:problem:backend_timeout", json.GetProperty("type").GetString());
        Assert.Equal("Backend timeout", json.GetProperty("title").GetString());
        Assert.Equal(504, json.GetProperty("status").GetInt32());
        Assert.Equal("The backend did not answer within the route's timeout.", json.GetProperty("detail").GetString());
        Assert.Equal("backend_timeout", json.GetProperty("code").GetString());
        Assert.Equal("0HNABC:00000001", json.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task WriteAsync_DetailWithApostrophesAndAngleBrackets_IsWrittenAsIsAndNotSniffable()
    {
        var context = NewContext();
        var error = new GatewayError(400, "test", "Test", "The route's backend isn't <ready> & \"waiting\"\n.");

        await ProblemDetailsWriter.WriteAsync(context, error);

        await context.Response.CompleteAsync();
        context.Response.Body.Position = 0;
        var text = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Contains("\"detail\":\"The route's backend isn't <ready> & \\\"waiting\\\"\\n.\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", text, StringComparison.Ordinal);
        Assert.Equal("nosniff", context.Response.Headers.XContentTypeOptions.ToString());
    }

    [Fact]
    public async Task WriteAsync_WhileTracing_TraceIdIsTheW3CTraceId()
    {
        var context = NewContext();
        using var activity = new Activity("gateway-request").SetIdFormat(ActivityIdFormat.W3C).Start();

        await ProblemDetailsWriter.WriteAsync(context, GatewayError.RouteNotFound);

        using var body = await ReadBodyAsync(context);
        Assert.Equal(activity.TraceId.ToHexString(), body.RootElement.GetProperty("traceId").GetString());
        Assert.Equal(32, body.RootElement.GetProperty("traceId").GetString()?.Length);
    }

    [Fact]
    public async Task WriteAsync_DetailWithQuotesAndNonAscii_IsValidJsonAndRoundTrips()
    {
        var context = NewContext();
        var error = GatewayError.NoBackend("orders \"eu\" – ü");

        await ProblemDetailsWriter.WriteAsync(context, error);

        using var body = await ReadBodyAsync(context);
        Assert.Equal(503, body.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("no_backend", body.RootElement.GetProperty("code").GetString());
        Assert.Equal("The pool 'orders \"eu\" – ü' has no enabled backend to send the request to.", body.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task WriteAsync_ErrorWithHeaders_SendsEachHeader()
    {
        var context = NewContext();
        var error = new GatewayError(429, "too_many_failures", "Too many failed attempts", "Wait before trying again.")
            .WithHeader("Retry-After", "30")
            .WithHeader("WWW-Authenticate", new Microsoft.Extensions.Primitives.StringValues(["Bearer realm=\"gateway\"", "ApiKey realm=\"gateway\""]));

        await ProblemDetailsWriter.WriteAsync(context, error);

        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("30", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(2, context.Response.Headers.WWWAuthenticate.Count);
    }

    [Fact]
    public async Task WriteAsync_HeadRequest_SetsStatusAndTypeWithoutBody()
    {
        var context = NewContext();
        context.Request.Method = HttpMethods.Head;

        await ProblemDetailsWriter.WriteAsync(context, GatewayError.RouteNotFound);

        Assert.Equal(404, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal(0, await BodyLengthAsync(context));
    }

    [Fact]
    public async Task WriteAsync_HeadersSetBeforeTheError_AreCleared()
    {
        var context = NewContext();
        context.Response.StatusCode = 200;
        context.Response.Headers["X-Backend-Version"] = "2";

        await ProblemDetailsWriter.WriteAsync(context, GatewayError.BackendUnreachable);

        Assert.Equal(502, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("X-Backend-Version"));
    }

    [Fact]
    public async Task WriteAsync_ResponseAlreadyStarted_AbortsTheConnectionInsteadOfWriting()
    {
        var context = NewContext();
        var response = new StartedResponseFeature { StatusCode = 200 };
        var lifetime = new RecordingLifetimeFeature();
        context.Features.Set<IHttpResponseFeature>(response);
        context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);

        await ProblemDetailsWriter.WriteAsync(context, GatewayError.BackendUnreachable);

        Assert.True(lifetime.Aborted);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(0, await BodyLengthAsync(context));
    }

    private static DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static async Task<JsonDocument> ReadBodyAsync(HttpContext context)
    {
        // The writer hands its bytes to the response's PipeWriter; the server sends them when it completes the
        // response at the end of the request, which a DefaultHttpContext does only when asked.
        await context.Response.CompleteAsync();
        context.Response.Body.Position = 0;
        return await JsonDocument.ParseAsync(context.Response.Body);
    }

    private static async Task<long> BodyLengthAsync(HttpContext context)
    {
        await context.Response.CompleteAsync();
        return context.Response.Body.Length;
    }

    private sealed class StartedResponseFeature : HttpResponseFeature
    {
        public override bool HasStarted => true;
    }

    private sealed class RecordingLifetimeFeature : IHttpRequestLifetimeFeature
    {
        public bool Aborted { get; private set; }

        public CancellationToken RequestAborted { get; set; }

        public void Abort() => Aborted = true;
    }
}
