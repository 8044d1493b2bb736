using FunctionsGateway.Configuration;

namespace FunctionsGateway.Health;

/// <summary>
/// What one instance knows about one backend beyond its row: the active health verdict, an average of observed
/// latencies, the calls in flight and whether its circuit is open. Outlives snapshot swaps (<see cref="BackendStateRegistry"/>),
/// so a table reload loses none of it; read without locks on every request.
/// </summary>
internal sealed class BackendState
{
    // Weight of the newest sample in the latency average: about the last five samples count.
    private const double LatencyWeight = 0.3;

    private readonly TimeProvider _time;
    private readonly TimeSpan _staleAfter;
    private BackendHealthReport? _report;
    private long _latencyBits = BitConverter.DoubleToInt64Bits(double.NaN);
    private int _inFlight;
    private long _circuitOpenUntil;

    internal BackendState(RowId id, string pool, Uri url, TimeProvider time, TimeSpan staleAfter)
    {
        Id = id;
        Pool = pool;
        Url = url;
        _time = time;
        _staleAfter = staleAfter;
    }

    /// <summary>The backend's row (a route's <c>Backend</c> shorthand: the route's row).</summary>
    public RowId Id { get; }

    /// <summary>The pool the backend belongs to.</summary>
    public string Pool { get; }

    /// <summary>The address the state was observed at; a row re-pointed elsewhere starts afresh.</summary>
    public Uri Url { get; private set; }

    /// <summary>The last <c>BackendHealth</c> row applied, or null when there is none.</summary>
    public BackendHealthReport? Report => Volatile.Read(ref _report);

    /// <summary>The average latency of recent probes and forwarded calls in milliseconds, or null before the first.</summary>
    public double? LatencyMs => double.IsNaN(Latency) ? null : Latency;

    /// <summary>Calls to the backend in flight on this instance.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>True while a circuit breaker keeps the backend out of selection.</summary>
    public bool CircuitOpen => _time.GetTimestamp() < Volatile.Read(ref _circuitOpenUntil);

    private double Latency => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _latencyBits));

    /// <summary>Opens the backend's circuit until further notice, or closes it; selection skips a backend whose circuit is open.</summary>
    public void SetCircuitOpen(bool open) => Volatile.Write(ref _circuitOpenUntil, open ? long.MaxValue : 0);

    /// <summary>Opens the backend's circuit for <paramref name="breakDuration"/> (its breaker's break), after which selection tries it again.</summary>
    public void OpenCircuitFor(TimeSpan breakDuration) =>
        Volatile.Write(ref _circuitOpenUntil, _time.GetTimestamp() + (long)(breakDuration.TotalSeconds * _time.TimestampFrequency));

    /// <summary>
    /// The verdict as of <paramref name="now"/>: the row's status, or <see cref="BackendHealthStatus.Unknown"/> when there
    /// is no row or it is older than the staleness limit (the prober stopped, so its verdict no longer says anything).
    /// </summary>
    public BackendHealthStatus StatusAt(DateTimeOffset now) =>
        Report is { } report && now - report.CheckedAt <= _staleAfter ? report.Status : BackendHealthStatus.Unknown;

    /// <summary>
    /// What selection compares between two candidates (lower is better): the latency average times the calls in flight
    /// plus one, so a slow backend and a busy one both lose. A backend without a sample costs 0, so it gets tried.
    /// </summary>
    internal double Cost
    {
        get
        {
            var latency = Latency;
            return double.IsNaN(latency) ? 0 : latency * (InFlight + 1);
        }
    }

    /// <summary>Applies a row when it is newer than the one held; a successful probe's latency joins the average.</summary>
    internal void Apply(BackendHealthReport report)
    {
        var current = Report;
        if (current is not null && report.CheckedAt <= current.CheckedAt)
        {
            return;
        }

        Volatile.Write(ref _report, report);
        if (report.ConsecutiveFailures == 0)
        {
            RecordLatency(report.LatencyMs);
        }
    }

    /// <summary>Counts a call in flight; pass the result to <see cref="EndCall"/>.</summary>
    internal long StartCall()
    {
        Interlocked.Increment(ref _inFlight);
        return _time.GetTimestamp();
    }

    /// <summary>
    /// Ends a call started with <see cref="StartCall"/>. Its duration joins the latency average only when the backend
    /// answered (<paramref name="responded"/>): a refused connection is fast and says nothing good about the backend.
    /// </summary>
    internal void EndCall(long startedAt, bool responded)
    {
        Interlocked.Decrement(ref _inFlight);
        if (responded)
        {
            RecordLatency(_time.GetElapsedTime(startedAt).TotalMilliseconds);
        }
    }

    /// <summary>Forgets what was observed at the old address when the row now points elsewhere.</summary>
    internal void MovedTo(Uri url)
    {
        Url = url;
        Volatile.Write(ref _report, null);
        Interlocked.Exchange(ref _latencyBits, BitConverter.DoubleToInt64Bits(double.NaN));
    }

    internal void RecordLatency(double milliseconds)
    {
        if (!double.IsFinite(milliseconds) || milliseconds < 0)
        {
            return;
        }

        // Lock-free: a lost race only drops one sample from an average.
        var seen = Interlocked.Read(ref _latencyBits);
        var current = BitConverter.Int64BitsToDouble(seen);
        var next = double.IsNaN(current) ? milliseconds : current + (LatencyWeight * (milliseconds - current));
        Interlocked.CompareExchange(ref _latencyBits, BitConverter.DoubleToInt64Bits(next), seen);
    }
}
