using System.Globalization;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// Checks <see cref="RateLimitingOptions"/> at start and reports every problem at once, each naming the app
/// setting and the values it may take.
/// </summary>
internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    private const string Prefix = "Gateway__RateLimiting__";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.PlanClaim is { } claim && (claim.Length == 0 || claim.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            errors.Add($"{Prefix}PlanClaim '{claim}' is not a claim name; write the name of the token claim that holds the plan, such as plan, or leave it unset");
        }

        Range(errors, "StoreTimeoutMilliseconds", options.StoreTimeoutMilliseconds, 10, 10_000, "milliseconds, such as 500");
        if (!(options.BreakerFailureRatio > 0 && options.BreakerFailureRatio <= 1))
        {
            errors.Add($"{Prefix}BreakerFailureRatio is {options.BreakerFailureRatio.ToString(CultureInfo.InvariantCulture)}; use a share of failed calls above 0 and at most 1, such as 0.5");
        }

        Range(errors, "BreakerMinimumCalls", options.BreakerMinimumCalls, 2, 10_000, "calls, such as 5");
        Range(errors, "BreakerSamplingSeconds", options.BreakerSamplingSeconds, 1, 3600, "seconds, such as 10");
        Range(errors, "BreakerBreakSeconds", options.BreakerBreakSeconds, 1, 3600, "seconds, such as 5");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Range(List<string> errors, string setting, int value, int min, int max, string unit)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Prefix}{setting} is {value}; use {min} to {max} {unit}");
        }
    }
}
