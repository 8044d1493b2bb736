using FunctionsGateway.Forwarding;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Core.Tests;

/// <summary>The retry and circuit breaker settings (Gateway__Forwarding__*), checked at start with what to set instead.</summary>
public sealed class ResilienceOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = Validate(_ => { });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("RetryBodyBufferBytes", -1, "Gateway__Forwarding__RetryBodyBufferBytes is -1; use a whole number from 0 to 1048576.")]
    [InlineData("RetryBudgetPercent", 101, "Gateway__Forwarding__RetryBudgetPercent is 101; use a whole number from 0 to 100.")]
    [InlineData("RetryBudgetMinPerSecond", -1, "Gateway__Forwarding__RetryBudgetMinPerSecond is -1; use a whole number from 0 to 1000.")]
    [InlineData("RetryBackoffMilliseconds", 0, "Gateway__Forwarding__RetryBackoffMilliseconds is 0; use a whole number from 1 to 1000.")]
    [InlineData("MinimumThroughput", 1, "Gateway__Forwarding__CircuitBreaker__MinimumThroughput is 1; use a whole number from 2 to 10000.")]
    [InlineData("SamplingDurationSeconds", 0, "Gateway__Forwarding__CircuitBreaker__SamplingDurationSeconds is 0; use a whole number from 1 to 3600.")]
    [InlineData("BreakDurationSeconds", 0, "Gateway__Forwarding__CircuitBreaker__BreakDurationSeconds is 0; use a whole number from 1 to 3600.")]
    public void Validate_SettingOutOfRange_FailsNamingTheSettingAndTheRange(string setting, int value, string message)
    {
        var result = Validate(forwarding =>
        {
            switch (setting)
            {
                case "RetryBodyBufferBytes": forwarding.RetryBodyBufferBytes = value; break;
                case "RetryBudgetPercent": forwarding.RetryBudgetPercent = value; break;
                case "RetryBudgetMinPerSecond": forwarding.RetryBudgetMinPerSecond = value; break;
                case "RetryBackoffMilliseconds": forwarding.RetryBackoffMilliseconds = value; break;
                case "MinimumThroughput": forwarding.CircuitBreaker.MinimumThroughput = value; break;
                case "SamplingDurationSeconds": forwarding.CircuitBreaker.SamplingDurationSeconds = value; break;
                default: forwarding.CircuitBreaker.BreakDurationSeconds = value; break;
            }
        });

        Assert.Equal([message], result.Failures);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Validate_FailureRatioOutOfRange_FailsWithAnExample(double ratio)
    {
        var result = Validate(forwarding => forwarding.CircuitBreaker.FailureRatio = ratio);

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Gateway__Forwarding__CircuitBreaker__FailureRatio is ", failure, StringComparison.Ordinal);
        Assert.EndsWith("; use a share from 0.01 to 1, such as 0.5 (half the attempts failed).", failure, StringComparison.Ordinal);
    }

    private static ValidateOptionsResult Validate(Action<ForwardingOptions> change)
    {
        var options = new GatewayOptions { Storage = { ConnectionString = "UseDevelopmentStorage=true" } };
        change(options.Forwarding);
        return new GatewayOptionsValidator().Validate(null, options);
    }
}
