namespace FunctionsGateway.Configuration;

/// <summary>How bad a problem found in a table row is.</summary>
public enum ProblemSeverity
{
    /// <summary>The row is served, but something looks wrong (an unknown column, likely a typo).</summary>
    Warning,

    /// <summary>The row is not served as it is (its last valid version may be).</summary>
    Error,
}
