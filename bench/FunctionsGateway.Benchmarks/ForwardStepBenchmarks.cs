using BenchmarkDotNet.Attributes;
using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Pipeline.Steps;
using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Benchmarks;

/// <summary>
/// The forwarding step's own cost on the success path (deadline, circuit breaker, retry pipeline, budget), with YARP
/// replaced by a forwarder that answers at once or after a yield, as a real backend would.
/// </summary>
[MemoryDiagnoser]
public class ForwardStepBenchmarks
{
    private readonly DefaultHttpContext _context = new() { Request = { Method = "GET", Path = "/orders" } };
    private ForwardStep _step = null!;
    private GatewaySnapshot _snapshot = null!;
    private RouteDefinition _route = null!;
    private BackendDefinition _backend = null!;
    private BackendInvoker _invoker = null!;

    [Params(false, true)]
    public bool BackendAnswersLater { get; set; }

    [Params(0, 2)]
    public int Retries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = Options.Create(new GatewayOptions());
        _invoker = new BackendInvoker(options);
        _step = new ForwardStep(new AnsweringForwarder(BackendAnswersLater), _invoker,
            new GatewayTransformer(options, Options.Create(new AuthenticationOptions())), options, TimeProvider.System, NullLogger<ForwardStep>.Instance,
            new Health.BackendStateRegistry(options, TimeProvider.System));
        _backend = new BackendDefinition { Id = new RowId("Backends", "orders", "orders-1"), Url = new Uri("http://orders-1.test/") };
        var template = RouteTemplate.TryParse("/orders", out var parsed, out var error) ? parsed : throw new InvalidOperationException(error);
        _route = new RouteDefinition { Id = new RowId("Routes", "public", "orders"), Path = template, Target = new PoolTarget("orders"), Retries = Retries };
        _snapshot = GatewaySnapshot.Empty;
    }

    [GlobalCleanup]
    public void Cleanup() => _invoker.Dispose();

    [Benchmark]
    public async Task<bool> Forward()
    {
        var feature = new GatewayRequestFeature(_snapshot) { StartedAt = TimeProvider.System.GetTimestamp(), Route = _route, Backend = _backend };
        var result = await _step.InvokeAsync(_context, feature);
        return result.Ended;
    }

    private sealed class AnsweringForwarder(bool later) : IHttpForwarder
    {
        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
            ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
            SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, CancellationToken.None);

        public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
            ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken) =>
            later ? LaterAsync() : ValueTask.FromResult(ForwarderError.None);

        private static async ValueTask<ForwarderError> LaterAsync()
        {
            await Task.Yield();
            return ForwarderError.None;
        }
    }
}
