using Azure;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Storage;

/// <summary>
/// One short line for a storage failure, for logs and the status listing. The SDK's own message is long: a
/// <see cref="RequestFailedException"/> adds the status, error code, response content and headers on further
/// lines, and after its retries the SDK wraps the failures in an <see cref="AggregateException"/> whose message
/// repeats its retry advice and each inner message. What is useful is the last failure's status, error code and
/// first line; request URLs in it may carry a SAS signature, so it is redacted.
/// </summary>
public static class StorageErrorText
{
    /// <summary>
    /// "storage answered 503 ServerBusy: The server is busy." when storage answered, else (no answer: the SDK reports
    /// a refused connection or a timeout as status 0, or throws another exception) "storage unreachable: " and the
    /// first line of the failure.
    /// </summary>
    public static string Describe(Exception exception)
    {
        var last = Innermost(exception);
        return SecretRedactor.Redact(last is RequestFailedException { Status: > 0 } r
            ? $"storage answered {r.Status}{(string.IsNullOrEmpty(r.ErrorCode) ? string.Empty : " " + r.ErrorCode)}: {FirstLine(r.Message)}"
            : $"storage unreachable: {FirstLine(last.Message)}");
    }

    /// <summary>The failure behind the SDK's retry wrapper: the last attempt's.</summary>
    public static Exception Innermost(Exception exception)
    {
        while (exception is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            exception = aggregate.InnerExceptions[^1];
        }

        return exception;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
