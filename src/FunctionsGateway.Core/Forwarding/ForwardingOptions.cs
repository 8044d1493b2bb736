namespace FunctionsGateway.Forwarding;

/// <summary>How the gateway talks to backends.</summary>
public sealed class ForwardingOptions
{
    /// <summary>How long opening a connection to a backend may take. The default value is 5 seconds.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// The largest request body accepted, in bytes; larger requests get 413. The default value is
    /// 104857600 (100 MiB, the Azure Functions host's own limit).
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>
    /// When true, <c>X-Forwarded-For/Proto/Host</c> sent by the client are kept and appended to;
    /// only set it when a trusted proxy (Front Door, Application Gateway) sits in front and overwrites them.
    /// The default value is false: the gateway replaces them with what it saw.
    /// </summary>
    public bool TrustForwardedHeaders { get; set; }

    /// <summary>How long an idle pooled connection to a backend is kept. The default value is 60 seconds.</summary>
    public int PooledConnectionIdleTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// How long a pooled connection lives before it is replaced, so DNS changes of a backend are picked up.
    /// The default value is 300 seconds.
    /// </summary>
    public int PooledConnectionLifetimeSeconds { get; set; } = 300;

    /// <summary>
    /// When true, backends may be cloud metadata and link-local addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254,
    /// 100.100.100.200, metadata.google.internal): in a row's URL and when a backend's name resolves there. The
    /// default value is false: such rows are refused and such connections fail with 502, because a metadata
    /// service hands out the host's credentials to whoever reaches it.
    /// </summary>
    public bool AllowLinkLocalBackends { get; set; }

    /// <summary>
    /// When true, a backend may be the gateway's own listening address (a loop). The default value is false:
    /// connecting to a port the gateway listens on, at a loopback or local address, fails with 502.
    /// </summary>
    public bool AllowSelfForwarding { get; set; }

    /// <summary>
    /// Request bodies up to this many bytes (by <c>Content-Length</c>) are read before the first attempt so a retry can send
    /// them again; larger bodies, and bodies of unknown length, stream as they arrive and are not retried (counted and
    /// logged). 0 buffers nothing. The default value is 65536 (64 KiB).
    /// </summary>
    public int RetryBodyBufferBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Retries of one route may add at most this percentage to its requests of the last 10 seconds, on this instance,
    /// on top of <see cref="RetryBudgetMinPerSecond"/>, so a failing backend cannot turn into a retry storm.
    /// The default value is 20.
    /// </summary>
    public int RetryBudgetPercent { get; set; } = 20;

    /// <summary>Retries per second a route may always make, whatever its traffic (its budget's floor). The default value is 5.</summary>
    public int RetryBudgetMinPerSecond { get; set; } = 5;

    /// <summary>
    /// The first retry waits about this long; each further one about twice as long (randomised, at most 1 s).
    /// The default value is 25 milliseconds.
    /// </summary>
    public int RetryBackoffMilliseconds { get; set; } = 25;

    /// <summary>When a backend's circuit breaker opens and how long it stays open.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();
}
