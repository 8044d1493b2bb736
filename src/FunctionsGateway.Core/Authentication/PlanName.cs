namespace FunctionsGateway.Authentication;

/// <summary>
/// The one rule for plan names, wherever a plan is written: an API key row's <c>Plan</c>, a route's
/// <c>RateLimitPlans</c>, the JWT claim named by <c>Gateway__RateLimiting__PlanClaim</c> and <c>apikey create --plan</c>.
/// Names are compared ignoring case. The characters are few so that a plan is safe in a header
/// (<c>X-Gateway-Plan</c>), in a log and between <c>RateLimitPlans</c>' separators.
/// </summary>
internal static class PlanName
{
    /// <summary>The longest plan name.</summary>
    public const int MaxLength = 64;

    /// <summary>Whether <paramref name="name"/> is 1 to 64 ASCII letters, digits, '-', '_' or '.'.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>What is wrong with an invalid name and what to write instead.</summary>
    public static string Problem(string name) =>
        $"'{name}' is not a plan name; use 1 to {MaxLength} letters, digits, '-', '_' or '.', such as gold";
}
