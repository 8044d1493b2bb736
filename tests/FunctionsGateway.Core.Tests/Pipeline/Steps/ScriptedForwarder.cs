using System.Net;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Core.Tests.Pipeline.Steps;

/// <summary>
/// Stands in for YARP, one scripted answer per attempt: a backend status (handed to the transformer as YARP does, so a
/// retryable one can be held back) or a forwarding error with its exception. Records where each attempt went and the body each answering backend read.
/// </summary>
internal sealed class ScriptedForwarder : IHttpForwarder
{
    private readonly Queue<Func<HttpContext, HttpTransformer, ValueTask<ForwarderError>>> _script = new();

    public List<string> Destinations { get; } = [];

    public List<byte[]> Bodies { get; } = [];

    public ScriptedForwarder Status(int status, string? retryAfter = null)
    {
        _script.Enqueue(async (context, transformer) =>
        {
            // A backend that answered has read the body.
            var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            Bodies.Add(body.ToArray());
            using var response = new HttpResponseMessage((HttpStatusCode)status);
            if (retryAfter is not null)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            }

            context.Response.StatusCode = status;
            await transformer.TransformResponseAsync(context, response, CancellationToken.None);
            return ForwarderError.None;
        });
        return this;
    }

    public ScriptedForwarder Fail(ForwarderError error, Exception? exception = null)
    {
        _script.Enqueue((context, _) =>
        {
            context.Response.StatusCode = error == ForwarderError.RequestTimedOut ? 504 : 502;
            context.Features.Set<IForwarderErrorFeature>(new ErrorFeature(error, exception));
            return ValueTask.FromResult(error);
        });
        return this;
    }

    public ScriptedForwarder ConnectionRefused() =>
        Fail(ForwarderError.Request, new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused",
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
        SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, CancellationToken.None);

    public async ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken)
    {
        Destinations.Add(destinationPrefix);
        return await _script.Dequeue()(context, transformer);
    }

    private sealed record ErrorFeature(ForwarderError Error, Exception? Exception) : IForwarderErrorFeature;
}
