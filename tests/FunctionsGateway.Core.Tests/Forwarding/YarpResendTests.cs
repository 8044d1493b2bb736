using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>
/// Why retries run around YARP's <see cref="IHttpForwarder"/> and not in a handler inside its invoker
/// (docs/architecture.md, Retries and circuit breakers): the request content YARP creates streams the client's
/// body once, so a handler that sends the same request again cannot send the body again.
/// </summary>
public sealed class YarpResendTests
{
    [Fact]
    public async Task HandlerSendingYarpsRequestTwice_CannotReadTheBodyTheSecondTime()
    {
        var handler = new ResendingHandler();
        using var invoker = new HttpMessageInvoker(handler);
        var forwarder = new ServiceCollection().AddLogging().AddHttpForwarder().BuildServiceProvider().GetRequiredService<IHttpForwarder>();
        var body = Encoding.UTF8.GetBytes("the body");
        var context = new DefaultHttpContext { Request = { Method = "PUT", Path = "/x", Body = new MemoryStream(body), ContentLength = body.Length } };

        await forwarder.SendAsync(context, "http://backend.test/", invoker, ForwarderRequestConfig.Empty, HttpTransformer.Empty);

        Assert.Equal("the body", handler.FirstBody);
        Assert.Null(handler.SecondBody);
        var failure = Assert.IsType<InvalidOperationException>(handler.SecondFailure);
        Assert.StartsWith("Stream was already consumed", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Reads the request's content as a first attempt would, then tries again as a retry would.</summary>
    private sealed class ResendingHandler : HttpMessageHandler
    {
        public string? FirstBody { get; private set; }

        public string? SecondBody { get; private set; }

        public Exception? SecondFailure { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // As SocketsHttpHandler sends it: copied to the connection, not buffered.
            var first = new MemoryStream();
            await request.Content!.CopyToAsync(first, cancellationToken);
            FirstBody = Encoding.UTF8.GetString(first.ToArray());
            try
            {
                var second = new MemoryStream();
                await request.Content.CopyToAsync(second, cancellationToken);
                SecondBody = Encoding.UTF8.GetString(second.ToArray());
            }
            catch (Exception exception)
            {
                SecondFailure = exception;
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        }
    }
}
