using Azure;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Health;

/// <summary>What a failed <c>BackendHealth</c> call looks like, and how it is quoted in a log line.</summary>
internal static class StorageFailure
{
    /// <summary>A storage failure to log and survive (not a bug, not our own cancellation).</summary>
    public static bool Is(Exception ex, CancellationToken cancellationToken) =>
        ex is RequestFailedException or IOException or TimeoutException or AggregateException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>The first line of the message, with credentials hidden (storage messages quote SAS-signed URLs).</summary>
    public static string Describe(Exception ex) => SecretRedactor.Redact(ex.Message.Split('\n')[0].Trim());
}
