using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Pipeline;

/// <summary>The one place that turns YARP's <see cref="ForwarderError"/> into what the client is told.</summary>
internal static class ForwarderErrorMapper
{
    /// <summary>
    /// The error to answer with, or null when there is nobody left to answer: the client went away
    /// (its abort is not the gateway's failure and is not logged as one).
    /// </summary>
    public static GatewayError? Map(ForwarderError error, Exception? exception, long maxRequestBodyBytes) => error switch
    {
        ForwarderError.None => null,
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
            or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled
            or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeResponseClient => null,
        ForwarderError.RequestTimedOut => GatewayError.BackendTimeout,
        ForwarderError.RequestBodyClient when IsBodyTooLarge(exception) => GatewayError.RequestTooLarge(maxRequestBodyBytes),
        ForwarderError.RequestBodyClient or ForwarderError.UpgradeRequestClient
            => GatewayError.BadRequest("The request body could not be read as sent; check its framing (Content-Length, chunked encoding)."),
        ForwarderError.ResponseHeaders => GatewayError.BackendInvalidResponse,
        _ => GatewayError.BackendUnreachable,
    };

    /// <summary>True when the failure was the client's going away.</summary>
    public static bool IsClientAbort(ForwarderError error) => error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled
        or ForwarderError.ResponseBodyCanceled or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeResponseCanceled
        or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeResponseClient;

    // When the body fails while the request is being sent, YARP reports it together with the send's failure,
    // as AggregateException(bodyException, sendException) (HttpForwarder.HandleRequestBodyFailure).
    private static bool IsBodyTooLarge(Exception? exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsBodyTooLarge),
        { InnerException: { } inner } => IsBodyTooLarge(inner),
        _ => false,
    };
}
