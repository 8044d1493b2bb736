using FunctionsGateway.Telemetry;

namespace FunctionsGateway.Core.Tests.Telemetry;

public sealed class AccessLogOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new AccessLogOptionsValidator().Validate(null, new AccessLogOptions());

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Validate_SampleRateOutsideZeroToOne_NamesTheSettingAndTheRange(double rate)
    {
        var result = new AccessLogOptionsValidator().Validate(null, new AccessLogOptions { SuccessSampleRate = rate });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Gateway__AccessLog__SuccessSampleRate is ", failure, StringComparison.Ordinal);
        Assert.Contains("use a share from 0 to 1", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EveryProblem_IsReportedAtOnce()
    {
        var result = new AccessLogOptionsValidator().Validate(null, new AccessLogOptions { SuccessSampleRate = 2, QueueCapacity = 10 });

        Assert.Equal(2, result.Failures!.Count());
        Assert.Contains("Gateway__AccessLog__QueueCapacity is 10; use 100 to 1000000 events, such as 10000", result.Failures!);
    }
}
