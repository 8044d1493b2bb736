using Azure;

namespace FunctionsGateway.Storage;

/// <summary>Which exceptions of a storage call are storage failures to log (<see cref="StorageErrorText"/>) and survive.</summary>
internal static class StorageFailure
{
    /// <summary>A storage failure to log and survive (not a bug, not our own cancellation).</summary>
    public static bool Is(Exception ex, CancellationToken cancellationToken) =>
        ex is RequestFailedException or IOException or TimeoutException or AggregateException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);
}
