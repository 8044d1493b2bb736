using Azure;
using FunctionsGateway.Storage;

namespace FunctionsGateway.Core.Tests.Storage;

/// <summary>A storage failure becomes one short line: status, error code, first line; no retry advice, no secrets.</summary>
public sealed class StorageErrorTextTests
{
    private const string SdkMessage = "The server is busy.\nRequestId:7f3c\nTime:2026-03-01T12:00:00Z\n\nStatus: 503 (Server Busy)\nErrorCode: ServerBusy\n\nHeaders:\nServer: Azurite-Table/3.35.0";

    [Fact]
    public void Describe_RequestFailed_IsStatusErrorCodeAndFirstLine()
    {
        var failure = new RequestFailedException(503, SdkMessage, "ServerBusy", null);

        var text = StorageErrorText.Describe(failure);

        Assert.Equal("storage answered 503 ServerBusy: The server is busy.", text);
    }

    [Fact]
    public void Describe_TheSdksRetryWrapper_IsTheLastAttemptOnlyWithoutTheRetryAdvice()
    {
        var failure = new AggregateException(
            "Retry failed after 3 tries. Retry settings can be adjusted in ClientOptions.Retry or by configuring a custom retry policy in ClientOptions.RetryPolicy.",
            new RequestFailedException(500, "first attempt", "InternalError", null),
            new IOException("second attempt"),
            new HttpRequestException("Connection refused (127.0.0.1:10002)\nat somewhere"));

        var text = StorageErrorText.Describe(failure);

        Assert.Equal("storage unreachable: Connection refused (127.0.0.1:10002)", text);
    }

    [Fact]
    public void Describe_NoAnswerReportedAsStatus0_IsUnreachableNotAnAnswer()
    {
        var failure = new AggregateException(new RequestFailedException(0, "Connection refused (127.0.0.1:1)\nmore", null, null));

        var text = StorageErrorText.Describe(failure);

        Assert.Equal("storage unreachable: Connection refused (127.0.0.1:1)", text);
    }

    [Fact]
    public void Describe_MessageQuotingASignedUrl_HidesTheSignature()
    {
        var failure = new RequestFailedException(403, "Denied for https://acct.table.core.windows.net/Routes?sv=2024&sig=SECRETSIG\nmore", "AuthorizationFailure", null);

        var text = StorageErrorText.Describe(failure);

        Assert.DoesNotContain("SECRETSIG", text, StringComparison.Ordinal);
        Assert.StartsWith("storage answered 403 AuthorizationFailure: Denied for https://acct.table.core.windows.net/Routes?", text, StringComparison.Ordinal);
    }
}
