namespace FunctionsGateway.Configuration;

/// <summary>
/// One problem found in one row, with what to do about it. Reported in the log and on the status listing.
/// </summary>
/// <param name="Row">The row: table, PartitionKey, RowKey.</param>
/// <param name="Column">The column at fault, or null when the row as a whole is.</param>
/// <param name="Severity">Warning (served) or error (not served as it is).</param>
/// <param name="Message">What is wrong and what to write instead.</param>
public sealed record ConfigProblem(RowId Row, string? Column, ProblemSeverity Severity, string Message)
{
    /// <summary>True when an invalid row's last valid version keeps serving in its place.</summary>
    public bool ServingLastValidVersion { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Row}{(Column is null ? string.Empty : $" column '{Column}'")}: {Message}"
        + (ServingLastValidVersion ? " (its last valid version keeps serving)" : string.Empty);
}
