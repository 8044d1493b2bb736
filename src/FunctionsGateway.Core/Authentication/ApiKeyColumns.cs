namespace FunctionsGateway.Authentication;

/// <summary>Column names of the <c>ApiKeys</c> table (docs/routes.md), matched case-sensitively.</summary>
public static class ApiKeyColumns
{
    /// <summary>The consumer id the key authenticates as (string, required).</summary>
    public const string Consumer = "Consumer";

    /// <summary>The consumer's plan, sent as <c>X-Gateway-Plan</c> (string, optional).</summary>
    public const string Plan = "Plan";

    /// <summary>Comma-separated scopes the key grants (string, optional).</summary>
    public const string Scopes = "Scopes";

    /// <summary>Whether the key is accepted (bool, default true).</summary>
    public const string Enabled = "Enabled";

    /// <summary>When the key stops being accepted (DateTime, optional).</summary>
    public const string ExpiresAt = "ExpiresAt";

    /// <summary>Free text for operators (string, optional).</summary>
    public const string Description = "Description";

    /// <summary>All of them: the names a row may use.</summary>
    public static IReadOnlyList<string> All { get; } = [Consumer, Plan, Scopes, Enabled, ExpiresAt, Description];
}
