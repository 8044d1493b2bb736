using System.Collections.Concurrent;
using System.Net;

namespace FunctionsGateway.Core.Tests.Health;

/// <summary>
/// Stands in for the network under the prober: each backend host answers as its script says — a status code, a
/// connection failure, or nothing at all until the probe gives up — and every requested address is recorded.
/// </summary>
internal sealed class ScriptedBackends : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Func<CancellationToken, Task<HttpResponseMessage>>> _scripts = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentQueue<Uri> Requested { get; } = new();

    public void Answers(string host, HttpStatusCode status) =>
        _scripts[host] = _ => Task.FromResult(new HttpResponseMessage(status));

    public void Fails(string host, string message) =>
        _scripts[host] = _ => Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, message));

    public void Hangs(string host) =>
        _scripts[host] = async cancellationToken =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requested.Enqueue(request.RequestUri!);
        return _scripts.TryGetValue(request.RequestUri!.Host, out var script)
            ? script(cancellationToken)
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
    }
}
