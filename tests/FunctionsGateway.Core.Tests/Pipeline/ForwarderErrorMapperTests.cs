using FunctionsGateway.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Core.Tests.Pipeline;

/// <summary>What the client is told for each way forwarding can fail (YARP's <see cref="ForwarderError"/>).</summary>
public sealed class ForwarderErrorMapperTests
{
    private const long MaxBody = 1024;

    [Theory]
    [InlineData(ForwarderError.Request, 502, "backend_unreachable")]
    [InlineData(ForwarderError.RequestCreation, 502, "backend_unreachable")]
    [InlineData(ForwarderError.RequestBodyDestination, 502, "backend_unreachable")]
    [InlineData(ForwarderError.ResponseBodyDestination, 502, "backend_unreachable")]
    [InlineData(ForwarderError.UpgradeRequestDestination, 502, "backend_unreachable")]
    [InlineData(ForwarderError.UpgradeResponseDestination, 502, "backend_unreachable")]
    [InlineData(ForwarderError.NoAvailableDestinations, 502, "backend_unreachable")]
    [InlineData(ForwarderError.UpgradeActivityTimeout, 502, "backend_unreachable")]
    [InlineData(ForwarderError.ResponseHeaders, 502, "backend_invalid_response")]
    [InlineData(ForwarderError.RequestTimedOut, 504, "backend_timeout")]
    [InlineData(ForwarderError.RequestBodyClient, 400, "bad_request")]
    [InlineData(ForwarderError.UpgradeRequestClient, 400, "bad_request")]
    public void Map_GatewayOrBackendFailure_AnswersStatusAndStableCode(ForwarderError error, int status, string code)
    {
        var answer = ForwarderErrorMapper.Map(error, new IOException("boom"), MaxBody);

        Assert.NotNull(answer);
        Assert.Equal(status, answer.Status);
        Assert.Equal(code, answer.Code);
    }

    [Fact]
    public void Map_RequestBodyClient_TellsTheClientToCheckItsFraming()
    {
        var answer = ForwarderErrorMapper.Map(ForwarderError.RequestBodyClient, new IOException("unexpected end"), MaxBody);

        Assert.Equal(
            GatewayError.BadRequest("The request body could not be read as sent; check its framing (Content-Length, chunked encoding)."),
            answer);
    }

    [Theory]
    [InlineData(ForwarderError.RequestCanceled)]
    [InlineData(ForwarderError.RequestBodyCanceled)]
    [InlineData(ForwarderError.ResponseBodyCanceled)]
    [InlineData(ForwarderError.ResponseBodyClient)]
    [InlineData(ForwarderError.UpgradeRequestCanceled)]
    [InlineData(ForwarderError.UpgradeResponseCanceled)]
    [InlineData(ForwarderError.UpgradeResponseClient)]
    public void Map_ClientWentAway_NobodyToAnswer(ForwarderError error)
    {
        var answer = ForwarderErrorMapper.Map(error, new OperationCanceledException(), MaxBody);

        Assert.Null(answer);
        Assert.True(ForwarderErrorMapper.IsClientAbort(error));
    }

    [Fact]
    public void Map_None_IsNoError()
    {
        var answer = ForwarderErrorMapper.Map(ForwarderError.None, exception: null, MaxBody);

        Assert.Null(answer);
        Assert.False(ForwarderErrorMapper.IsClientAbort(ForwarderError.None));
    }

    [Theory]
    [InlineData(ForwarderError.Request)]
    [InlineData(ForwarderError.RequestTimedOut)]
    [InlineData(ForwarderError.RequestBodyClient)]
    [InlineData(ForwarderError.ResponseHeaders)]
    [InlineData(ForwarderError.ResponseBodyDestination)]
    public void IsClientAbort_GatewayBackendOrMalformedRequest_IsFalse(ForwarderError error)
    {
        var isAbort = ForwarderErrorMapper.IsClientAbort(error);

        Assert.False(isAbort);
    }

    [Fact]
    public void IsClientAbort_AgreesWithMap_ForEveryForwarderError()
    {
        var disagreements = Enum.GetValues<ForwarderError>()
            .Where(e => e != ForwarderError.None)
            .Where(e => ForwarderErrorMapper.IsClientAbort(e) != (ForwarderErrorMapper.Map(e, null, MaxBody) is null))
            .ToList();

        Assert.Empty(disagreements);
    }

    [Fact]
    public void Map_RequestBodyOverTheServerLimit_Answers413WithTheLimit()
    {
        var tooLarge = new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);

        var answer = ForwarderErrorMapper.Map(ForwarderError.RequestBodyClient, tooLarge, MaxBody);

        Assert.Equal(GatewayError.RequestTooLarge(MaxBody), answer);
        Assert.Equal(413, answer?.Status);
        Assert.Equal("request_too_large", answer?.Code);
        Assert.Equal("The request body exceeds the limit of 1024 bytes.", answer?.Detail);
    }

    [Fact]
    public void Map_RequestBodyOverTheLimitAsYarpReportsItWhileSending_Answers413()
    {
        // When the body fails while the request is being sent, YARP reports the body's exception together with
        // the send's, as new AggregateException(requestBodyException, sendException) (HttpForwarder.HandleRequestBodyFailure).
        var tooLarge = new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        var reported = new AggregateException(tooLarge, new HttpRequestException("Error while copying content to a stream."));

        var answer = ForwarderErrorMapper.Map(ForwarderError.RequestBodyClient, reported, MaxBody);

        Assert.Equal(GatewayError.RequestTooLarge(MaxBody), answer);
    }

    [Fact]
    public async Task Map_WhatYarpReportsWhenTheServerRejectsAnOversizedBody_Answers413()
    {
        // The real forwarder, with a client body that Kestrel rejects as too large while the backend reads it.
        await using var services = new ServiceCollection().AddLogging().AddHttpForwarder().BuildServiceProvider();
        var forwarder = services.GetRequiredService<IHttpForwarder>();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = HttpMethods.Post;
        context.Request.Protocol = "HTTP/1.1";
        context.Request.ContentLength = 4096;
        context.Request.Body = new OversizedBodyStream();
        using var invoker = new HttpMessageInvoker(new BodyReadingHandler());
        var error = await forwarder.SendAsync(context, "http://backend/", invoker, ForwarderRequestConfig.Empty, HttpTransformer.Default);
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;

        var answer = ForwarderErrorMapper.Map(error, exception, MaxBody);

        Assert.Equal(ForwarderError.RequestBodyClient, error);
        Assert.Equal(GatewayError.RequestTooLarge(MaxBody), answer);
    }

    [Fact]
    public void Map_OtherBadRequestFromTheServer_Answers400()
    {
        var malformed = new BadHttpRequestException("Unexpected end of request content.", StatusCodes.Status400BadRequest);

        var answer = ForwarderErrorMapper.Map(ForwarderError.RequestBodyClient, new AggregateException(malformed), MaxBody);

        Assert.Equal(400, answer?.Status);
        Assert.Equal("bad_request", answer?.Code);
    }

    [Fact]
    public void Map_413FromTheBackendSideOfTheBody_IsNotBlamedOnTheClient()
    {
        var tooLarge = new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);

        var answer = ForwarderErrorMapper.Map(ForwarderError.RequestBodyDestination, tooLarge, MaxBody);

        Assert.Equal(502, answer?.Status);
    }

    // What Kestrel's request body stream does once MaxRequestBodySize is exceeded.
    private sealed class OversizedBodyStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw TooLarge();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw TooLarge();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw TooLarge();

        private static BadHttpRequestException TooLarge() =>
            new("Request body too large.", StatusCodes.Status413PayloadTooLarge);
    }

    // A backend that reads the whole request body before answering.
    private sealed class BodyReadingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                await request.Content.CopyToAsync(Stream.Null, cancellationToken);
            }

            return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        }
    }
}
