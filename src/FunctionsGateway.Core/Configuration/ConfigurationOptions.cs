namespace FunctionsGateway.Configuration;

/// <summary>How the gateway loads its routes and backends from Table Storage.</summary>
public sealed class ConfigurationOptions
{
    /// <summary>
    /// How often the tables are read again; an operator's edit takes effect within this time. The default value is 10 seconds.
    /// </summary>
    public int RefreshIntervalSeconds { get; set; } = 10;

    /// <summary>
    /// How long a request that arrives before the first load completes (a cold start) waits for it,
    /// before it is answered 503. The default value is 10 seconds.
    /// </summary>
    public int InitialLoadWaitSeconds { get; set; } = 10;
}
