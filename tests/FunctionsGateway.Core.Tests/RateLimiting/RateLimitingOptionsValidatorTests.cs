using FunctionsGateway.RateLimiting;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>The rate limiting settings checked at start: every bad value named with what it may be.</summary>
public sealed class RateLimitingOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new RateLimitingOptionsValidator().Validate(null, new RateLimitingOptions());

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Defaults_AreTheDocumentedValues()
    {
        var options = new RateLimitingOptions();

        Assert.Null(options.PlanClaim);
        Assert.Equal(500, options.StoreTimeoutMilliseconds);
        Assert.Equal(0.5, options.BreakerFailureRatio);
        Assert.Equal(5, options.BreakerMinimumCalls);
        Assert.Equal(10, options.BreakerSamplingSeconds);
        Assert.Equal(5, options.BreakerBreakSeconds);
    }

    [Theory]
    [InlineData(nameof(RateLimitingOptions.PlanClaim), "", "Gateway__RateLimiting__PlanClaim '' is not a claim name; write the name of the token claim that holds the plan, such as plan, or leave it unset")]
    [InlineData(nameof(RateLimitingOptions.PlanClaim), "my plan", "Gateway__RateLimiting__PlanClaim 'my plan' is not a claim name; write the name of the token claim that holds the plan, such as plan, or leave it unset")]
    [InlineData(nameof(RateLimitingOptions.StoreTimeoutMilliseconds), 9, "Gateway__RateLimiting__StoreTimeoutMilliseconds is 9; use 10 to 10000 milliseconds, such as 500")]
    [InlineData(nameof(RateLimitingOptions.StoreTimeoutMilliseconds), 10_001, "Gateway__RateLimiting__StoreTimeoutMilliseconds is 10001; use 10 to 10000 milliseconds, such as 500")]
    [InlineData(nameof(RateLimitingOptions.BreakerFailureRatio), 0.0, "Gateway__RateLimiting__BreakerFailureRatio is 0; use a share of failed calls above 0 and at most 1, such as 0.5")]
    [InlineData(nameof(RateLimitingOptions.BreakerFailureRatio), 1.5, "Gateway__RateLimiting__BreakerFailureRatio is 1.5; use a share of failed calls above 0 and at most 1, such as 0.5")]
    [InlineData(nameof(RateLimitingOptions.BreakerFailureRatio), double.NaN, "Gateway__RateLimiting__BreakerFailureRatio is NaN; use a share of failed calls above 0 and at most 1, such as 0.5")]
    [InlineData(nameof(RateLimitingOptions.BreakerMinimumCalls), 1, "Gateway__RateLimiting__BreakerMinimumCalls is 1; use 2 to 10000 calls, such as 5")]
    [InlineData(nameof(RateLimitingOptions.BreakerSamplingSeconds), 0, "Gateway__RateLimiting__BreakerSamplingSeconds is 0; use 1 to 3600 seconds, such as 10")]
    [InlineData(nameof(RateLimitingOptions.BreakerBreakSeconds), 0, "Gateway__RateLimiting__BreakerBreakSeconds is 0; use 1 to 3600 seconds, such as 5")]
    [InlineData(nameof(RateLimitingOptions.BreakerBreakSeconds), 3601, "Gateway__RateLimiting__BreakerBreakSeconds is 3601; use 1 to 3600 seconds, such as 5")]
    public void Validate_BadValue_NamesTheSettingAndWhatToWrite(string property, object value, string message)
    {
        var options = new RateLimitingOptions();
        typeof(RateLimitingOptions).GetProperty(property)!.SetValue(options, value);

        var result = new RateLimitingOptionsValidator().Validate(null, options);

        Assert.Equal([message], result.Failures);
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsEveryOne()
    {
        var options = new RateLimitingOptions { StoreTimeoutMilliseconds = 0, BreakerMinimumCalls = 0, BreakerBreakSeconds = 0 };

        var result = new RateLimitingOptionsValidator().Validate(null, options);

        Assert.Equal(3, result.Failures!.Count());
    }
}
