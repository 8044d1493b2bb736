using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using FunctionsGateway.IntegrationTests.Infrastructure;
using FunctionsGateway.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace FunctionsGateway.IntegrationTests.Telemetry;

/// <summary>
/// The gateway's spans as an OpenTelemetry exporter receives them, over HTTP through the DevHost's gateway with real
/// backends: one request span with the route and outcome, a span for authentication and for rate limiting, one client
/// span per backend attempt (a retry is the second, with its attempt number), and the client's trace carried to the
/// backend with the last attempt as its parent.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TracingTests(AzuriteFixture azurite)
{
    // .NET's HTTP client, which makes the backend call under the attempt's span.
    private const string BackendCallSource = "System.Net.Http";

    // The client's own trace, sampled, one per test; every span of the request must belong to it.
    private readonly ActivityTraceId _clientTrace = ActivityTraceId.CreateRandom();

    private string ClientParent => $"00-{_clientTrace.ToHexString()}-b7ad6b7169203331-01";

    [Fact]
    public async Task Get_FirstBackendRefusesConnections_TraceShowsTheRequestItsStepsAndBothAttempts()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(GatewayTelemetry.Name, BackendCallSource).AddInMemoryExporter(exported).Build();
        var received = new ConcurrentQueue<string>();
        await using var backend = await TestBackend.StartAsync(context =>
        {
            received.Enqueue(context.Request.Headers.TraceParent.ToString());
            return Task.CompletedTask;
        });
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
        {
            await t.AddBackendAsync("traced", "refusing", ("Url", ClosedPort.Url().ToString()));
            await t.AddBackendAsync("traced", "alive", ("Url", backend.Url.ToString()), ("Priority", 1));
            await t.AddRouteAsync("traced", ("Path", "/traced/{**rest}"), ("Pool", "traced"));
        });

        using var response = await SendInTheClientsTraceAsync(gateway, "/traced/items?code=s3cret&page=2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var spans = await WaitForRequestSpanAsync(exported);
        var root = Assert.Single(spans, s => s.OperationName == GatewayTracing.RequestSpan);
        Assert.Equal("GET /traced/{**rest}", root.DisplayName);
        Assert.Equal("/traced/{**rest}", root.GetTagItem("http.route"));
        Assert.Equal("GET", root.GetTagItem("http.request.method"));
        Assert.Equal(200, root.GetTagItem("http.response.status_code"));
        Assert.Equal("127.0.0.1", root.GetTagItem("server.address"));
        Assert.Equal("public/traced", root.GetTagItem("gateway.route"));
        Assert.Equal("traced/alive", root.GetTagItem("gateway.backend"));
        Assert.Equal("ok", root.GetTagItem("gateway.outcome"));
        Assert.Null(root.GetTagItem("error.type"));

        var children = spans.Where(s => s.ParentSpanId == root.SpanId && s.Source.Name == GatewayTelemetry.Name).ToList();
        Assert.Equal(["gateway.authenticate", "gateway.rate_limit", "GET", "GET"], children.OrderBy(s => s.StartTimeUtc).Select(s => s.OperationName));
        Assert.Equal("anonymous", Assert.Single(children, s => s.OperationName == "gateway.authenticate").GetTagItem("gateway.auth_method"));
        Assert.Equal("ok", Assert.Single(children, s => s.OperationName == "gateway.rate_limit").GetTagItem("gateway.outcome"));

        var attempts = children.Where(s => s.Kind == ActivityKind.Client).OrderBy(s => s.GetTagItem("gateway.attempt")).ToList();
        Assert.Equal([1, 2], attempts.Select(s => s.GetTagItem("gateway.attempt")));
        Assert.Equal(["traced/refusing", "traced/alive"], attempts.Select(s => s.GetTagItem("gateway.backend")));
        Assert.Equal("connect_failure", attempts[0].GetTagItem("error.type"));
        Assert.Equal(true, attempts[0].GetTagItem("gateway.retried"));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal(200, attempts[1].GetTagItem("http.response.status_code"));
        Assert.Equal(1, attempts[1].GetTagItem("http.request.resend_count"));
        Assert.Equal($"{backend.Url.GetLeftPart(UriPartial.Authority)}/traced/items?code=***&page=2", attempts[1].GetTagItem("url.full"));
        Assert.Equal(backend.Url.Port, attempts[1].GetTagItem("server.port"));

        // Each attempt holds its backend call (.NET's HTTP client span), and the backend's parent is the call of the attempt
        // that reached it, in the client's trace.
        var calls = attempts.Select(a => Assert.Single(spans, s => s.Source.Name == BackendCallSource && s.ParentSpanId == a.SpanId)).ToList();
        Assert.Equal(ActivityKind.Client, calls[1].Kind);
        Assert.Equal($"00-{_clientTrace.ToHexString()}-{calls[1].SpanId.ToHexString()}-01", Assert.Single(received));
    }

    [Fact]
    public async Task Get_RouteNotFound_RequestSpanCarriesTheErrorTypeAndNoAttempt()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(GatewayTelemetry.Name).AddInMemoryExporter(exported).Build();
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, _ => Task.CompletedTask);

        using var response = await SendInTheClientsTraceAsync(gateway, "/nowhere");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var spans = await WaitForRequestSpanAsync(exported);
        var root = Assert.Single(spans, s => s.OperationName == GatewayTracing.RequestSpan);
        Assert.Equal("route_not_found", root.GetTagItem("error.type"));
        Assert.Equal(404, root.GetTagItem("http.response.status_code"));

        // A 404 is the client's mistake, not a failure of the gateway (HTTP semantic conventions for servers).
        Assert.Equal(ActivityStatusCode.Unset, root.Status);
        Assert.DoesNotContain(spans, s => s.Kind == ActivityKind.Client && s.Source.Name == GatewayTelemetry.Name);
    }

    private async Task<HttpResponseMessage> SendInTheClientsTraceAsync(GatewayUnderTest gateway, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("traceparent", ClientParent);
        return await gateway.Client.SendAsync(request);
    }

    // Other tests' gateways run at the same time and a listener hears them all: this test's spans are those of the
    // client's trace. The request span ends last, after the response was written.
    private async Task<List<Activity>> WaitForRequestSpanAsync(List<Activity> exported)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            // The exporter adds to the list on the thread that ends a span; ToArray copies without checking for that.
            var spans = exported.ToArray().Where(s => s is not null && s.TraceId == _clientTrace).ToList();

            if (spans.Any(s => s.OperationName == GatewayTracing.RequestSpan))
            {
                return spans;
            }

            if (waited.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new Xunit.Sdk.XunitException($"No {GatewayTracing.RequestSpan} span of the client's trace within 15 s; got {spans.Count} other spans.");
            }

            await Task.Delay(20);
        }
    }
}
