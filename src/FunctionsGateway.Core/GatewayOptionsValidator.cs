using FunctionsGateway.Routing;
using Microsoft.Extensions.Options;

namespace FunctionsGateway;

/// <summary>Checks every setting at start and reports all problems at once, each with what to set instead.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        var storage = options.Storage;
        if (string.IsNullOrWhiteSpace(storage.ConnectionString) == (storage.TableEndpoint is null))
        {
            failures.Add("Set exactly one of Gateway__Storage__ConnectionString (for example UseDevelopmentStorage=true for Azurite) "
                + "or Gateway__Storage__TableEndpoint (https://ACCOUNT.table.core.windows.net/ with a managed identity).");
        }

        if (storage.TableEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("https" or "http")))
        {
            failures.Add($"Gateway__Storage__TableEndpoint '{endpoint}' must be an absolute https URL such as https://ACCOUNT.table.core.windows.net/.");
        }

        RequireRange(failures, "Gateway__Storage__TimeoutSeconds", storage.TimeoutSeconds, 1, 60);
        RequireRange(failures, "Gateway__Configuration__RefreshIntervalSeconds", options.Configuration.RefreshIntervalSeconds, 1, 3600);
        RequireRange(failures, "Gateway__Configuration__InitialLoadWaitSeconds", options.Configuration.InitialLoadWaitSeconds, 0, 25);
        RequireRange(failures, "Gateway__Forwarding__ConnectTimeoutSeconds", options.Forwarding.ConnectTimeoutSeconds, 1, 120);
        RequireRange(failures, "Gateway__Forwarding__PooledConnectionIdleTimeoutSeconds", options.Forwarding.PooledConnectionIdleTimeoutSeconds, 1, 3600);
        RequireRange(failures, "Gateway__Forwarding__PooledConnectionLifetimeSeconds", options.Forwarding.PooledConnectionLifetimeSeconds, 1, 86400);
        ValidateHealth(failures, options.Health);
        if (options.Forwarding.MaxRequestBodyBytes < 0)
        {
            failures.Add($"Gateway__Forwarding__MaxRequestBodyBytes is {options.Forwarding.MaxRequestBodyBytes}; use a number of bytes of 0 or more, such as 104857600 for 100 MiB.");
        }

        ValidateResilience(failures, options.Forwarding);
        RequireHandling(failures, "Gateway__Paths__EncodedSlashes", options.Paths.EncodedSlashes, "forward %2F, %5C and \\ as sent, matched inside one segment");
        RequireHandling(failures, "Gateway__Paths__PathParameters", options.Paths.PathParameters, "forward ';' path parameters as sent");

        var tables = options.Tables;
        foreach (var (setting, value) in new[]
                 {
                     ("Routes", tables.Routes), ("Backends", tables.Backends), ("BackendHealth", tables.BackendHealth),
                     ("ApiKeys", tables.ApiKeys), ("RateLimits", tables.RateLimits), ("LastValidRows", tables.LastValidRows),
                 })
        {
            if (!IsValidTableName(value))
            {
                failures.Add($"Gateway__Tables__{setting} '{value}' is not a valid table name; use 3–63 letters and digits, starting with a letter.");
            }
        }

        // Two settings naming one table would read every row as the wrong kind (table names are case-insensitive).
        foreach (var shared in new[] { tables.Routes, tables.Backends, tables.BackendHealth, tables.ApiKeys, tables.RateLimits, tables.LastValidRows }
                     .Where(IsValidTableName)
                     .GroupBy(n => n, StringComparer.OrdinalIgnoreCase)
                     .Where(g => g.Count() > 1))
        {
            failures.Add($"Several Gateway__Tables__* settings name the table '{shared.Key}'; give each of Routes, Backends, BackendHealth, ApiKeys, RateLimits and LastValidRows its own table.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateResilience(List<string> failures, Forwarding.ForwardingOptions forwarding)
    {
        RequireRange(failures, "Gateway__Forwarding__RetryBodyBufferBytes", forwarding.RetryBodyBufferBytes, 0, 1024 * 1024);
        RequireRange(failures, "Gateway__Forwarding__RetryBudgetPercent", forwarding.RetryBudgetPercent, 0, 100);
        RequireRange(failures, "Gateway__Forwarding__RetryBudgetMinPerSecond", forwarding.RetryBudgetMinPerSecond, 0, 1000);
        RequireRange(failures, "Gateway__Forwarding__RetryBackoffMilliseconds", forwarding.RetryBackoffMilliseconds, 1, 1000);
        var breaker = forwarding.CircuitBreaker;
        if (breaker.FailureRatio is < 0.01 or > 1 || double.IsNaN(breaker.FailureRatio))
        {
            failures.Add($"Gateway__Forwarding__CircuitBreaker__FailureRatio is {breaker.FailureRatio}; use a share from 0.01 to 1, such as 0.5 (half the attempts failed).");
        }

        RequireRange(failures, "Gateway__Forwarding__CircuitBreaker__MinimumThroughput", breaker.MinimumThroughput, 2, 10_000);
        RequireRange(failures, "Gateway__Forwarding__CircuitBreaker__SamplingDurationSeconds", breaker.SamplingDurationSeconds, 1, 3600);
        RequireRange(failures, "Gateway__Forwarding__CircuitBreaker__BreakDurationSeconds", breaker.BreakDurationSeconds, 1, 3600);
    }

    private static void ValidateHealth(List<string> failures, Health.HealthOptions health)
    {
        RequireRange(failures, "Gateway__Health__ProbeTimeoutSeconds", health.ProbeTimeoutSeconds, 1, 60);
        RequireRange(failures, "Gateway__Health__UnhealthyThreshold", health.UnhealthyThreshold, 1, 100);
        RequireRange(failures, "Gateway__Health__HealthyThreshold", health.HealthyThreshold, 1, 100);
        RequireRange(failures, "Gateway__Health__RowRefreshIntervalSeconds", health.RowRefreshIntervalSeconds, 1, 3600);
        RequireRange(failures, "Gateway__Health__StaleAfterSeconds", health.StaleAfterSeconds, 10, 86400);
    }

    private static void RequireRange(List<string> failures, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{setting} is {value}; use a whole number from {min} to {max}.");
        }
    }

    private static void RequireHandling(List<string> failures, string setting, string? value, string keepMeans)
    {
        if (!PathOptions.TryParse(value, out _))
        {
            failures.Add($"{setting} is '{value}'; write Reject (the default: answer 400 invalid_path) or Keep ({keepMeans}).");
        }
    }

    // Azure Table Storage: ^[A-Za-z][A-Za-z0-9]{2,62}$.
    private static bool IsValidTableName(string? name) =>
        name is { Length: >= 3 and <= 63 } && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit);
}
