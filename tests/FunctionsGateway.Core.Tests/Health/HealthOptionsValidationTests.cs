using FunctionsGateway.Health;

namespace FunctionsGateway.Core.Tests.Health;

/// <summary>The Gateway__Health__* settings are checked at start like every other, each out-of-range value named with its range.</summary>
public sealed class HealthOptionsValidationTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = Validate(new HealthOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("ProbeTimeoutSeconds", 0, 1, 60)]
    [InlineData("ProbeTimeoutSeconds", 61, 1, 60)]
    [InlineData("UnhealthyThreshold", 0, 1, 100)]
    [InlineData("UnhealthyThreshold", 101, 1, 100)]
    [InlineData("HealthyThreshold", 0, 1, 100)]
    [InlineData("HealthyThreshold", 101, 1, 100)]
    [InlineData("RowRefreshIntervalSeconds", 0, 1, 3600)]
    [InlineData("RowRefreshIntervalSeconds", 3601, 1, 3600)]
    [InlineData("StaleAfterSeconds", 9, 10, 86400)]
    [InlineData("StaleAfterSeconds", 86401, 10, 86400)]
    public void Validate_NumberOutOfRange_FailsNamingSettingValueAndRange(string setting, int value, int min, int max)
    {
        var health = new HealthOptions();
        typeof(HealthOptions).GetProperty(setting)!.SetValue(health, value);

        var result = Validate(health);

        Assert.Equal([$"Gateway__Health__{setting} is {value}; use a whole number from {min} to {max}."], result.Failures);
    }

    [Theory]
    [InlineData("ProbeTimeoutSeconds", 1)]
    [InlineData("ProbeTimeoutSeconds", 60)]
    [InlineData("UnhealthyThreshold", 1)]
    [InlineData("HealthyThreshold", 100)]
    [InlineData("RowRefreshIntervalSeconds", 1)]
    [InlineData("StaleAfterSeconds", 10)]
    public void Validate_NumberAtTheEdgeOfItsRange_Succeeds(string setting, int value)
    {
        var health = new HealthOptions();
        typeof(HealthOptions).GetProperty(setting)!.SetValue(health, value);

        var result = Validate(health);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(HealthOptions health) =>
        new GatewayOptionsValidator().Validate(null, new GatewayOptions { Storage = { ConnectionString = "UseDevelopmentStorage=true" }, Health = health });
}
