namespace FunctionsGateway.Configuration;

/// <summary>How the last attempts to read the tables went, for the status listing.</summary>
/// <param name="LastAttemptAt">When the tables were last read, or tried.</param>
/// <param name="LastSuccessAt">When they were last read completely, or null if never.</param>
/// <param name="LastError">Why the last attempt failed, or null when it succeeded.</param>
internal sealed record ConfigLoadState(DateTimeOffset? LastAttemptAt, DateTimeOffset? LastSuccessAt, string? LastError)
{
    public static ConfigLoadState NotStarted { get; } = new(null, null, null);
}
