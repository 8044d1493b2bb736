namespace FunctionsGateway.Configuration;

/// <summary>One column of a changed row: its value in the table (<see cref="Before"/>) and in the file (<see cref="After"/>); null where absent.</summary>
internal sealed record RouteSetColumnChange(string Column, object? Before, object? After);
