namespace FunctionsGateway.Configuration;

/// <summary>
/// Holds the current <see cref="GatewaySnapshot"/>. The refresher swaps a new one in atomically;
/// requests read it without locks.
/// </summary>
internal sealed class GatewaySnapshotProvider
{
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _firstAttemptFailed;
    private GatewaySnapshot _current = GatewaySnapshot.Empty;

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised after a new snapshot became <see cref="Current"/>, on the publishing thread.</summary>
    public event Action? Published;

    /// <summary>True once a load has succeeded.</summary>
    public bool IsLoaded => _firstLoad.Task.IsCompleted;

    public void Publish(GatewaySnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        Published?.Invoke();
        _firstLoad.TrySetResult();
        _firstAttempt.TrySetResult();
    }

    /// <summary>
    /// A read of the tables failed. Before any load succeeded, requests then get 503 at once instead of each waiting
    /// for a load that is not coming (tables missing, storage unreachable); later loads still clear it.
    /// </summary>
    public void ReportFailedAttempt()
    {
        if (!IsLoaded)
        {
            _firstAttemptFailed = true;
        }

        _firstAttempt.TrySetResult();
    }

    /// <summary>
    /// Waits for the first successful load, at most <paramref name="timeout"/>; true when it happened. Answers false at
    /// once when the first attempt already failed, and stops waiting when it fails.
    /// </summary>
    public async ValueTask<bool> WaitForFirstLoadAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_firstLoad.Task.IsCompleted)
        {
            return true;
        }

        if (_firstAttemptFailed)
        {
            return false;
        }

        try
        {
            await _firstAttempt.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return IsLoaded;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
