namespace FunctionsGateway.Configuration;

/// <summary>The column names of the <c>Backends</c> table (docs/routes.md): a contract with operators.</summary>
internal static class BackendColumns
{
    public const string Url = "Url";
    public const string Weight = "Weight";
    public const string Priority = "Priority";
    public const string HealthPath = "HealthPath";
    public const string Enabled = "Enabled";

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        Url, Weight, Priority, HealthPath, Enabled,
    };
}
