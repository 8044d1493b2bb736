namespace FunctionsGateway.Configuration;

/// <summary>
/// Holds the current <see cref="GatewaySnapshot"/>. The refresher swaps a new one in atomically;
/// requests read it without locks.
/// </summary>
internal sealed class GatewaySnapshotProvider
{
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GatewaySnapshot _current = GatewaySnapshot.Empty;

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    /// <summary>True once a load has succeeded.</summary>
    public bool IsLoaded => _firstLoad.Task.IsCompleted;

    public void Publish(GatewaySnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        _firstLoad.TrySetResult();
    }

    /// <summary>Waits for the first successful load, at most <paramref name="timeout"/>; true when it happened.</summary>
    public async ValueTask<bool> WaitForFirstLoadAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_firstLoad.Task.IsCompleted)
        {
            return true;
        }

        try
        {
            await _firstLoad.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
