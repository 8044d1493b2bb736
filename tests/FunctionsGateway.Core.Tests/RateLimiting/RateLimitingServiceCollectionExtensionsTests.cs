using FunctionsGateway.Authentication;
using FunctionsGateway.RateLimiting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>The <c>Gateway__RateLimiting__*</c> app settings: bound, checked, and the plan claim handed to the JWT validator.</summary>
public sealed class RateLimitingServiceCollectionExtensionsTests
{
    [Fact]
    public void AddGatewayRateLimiting_AppSettings_AreBound()
    {
        using var services = Build(new()
        {
            ["Gateway:RateLimiting:PlanClaim"] = "tier",
            ["Gateway:RateLimiting:StoreTimeoutMilliseconds"] = "250",
            ["Gateway:RateLimiting:BreakerFailureRatio"] = "0.25",
            ["Gateway:RateLimiting:BreakerMinimumCalls"] = "20",
            ["Gateway:RateLimiting:BreakerSamplingSeconds"] = "30",
            ["Gateway:RateLimiting:BreakerBreakSeconds"] = "15",
        });

        var options = services.GetRequiredService<IOptions<RateLimitingOptions>>().Value;

        Assert.Equal("tier", options.PlanClaim);
        Assert.Equal(250, options.StoreTimeoutMilliseconds);
        Assert.Equal(0.25, options.BreakerFailureRatio);
        Assert.Equal(20, options.BreakerMinimumCalls);
        Assert.Equal(30, options.BreakerSamplingSeconds);
        Assert.Equal(15, options.BreakerBreakSeconds);
    }

    [Fact]
    public void AddGatewayRateLimiting_BadSetting_FailsWithTheValidatorsMessage()
    {
        using var services = Build(new() { ["Gateway:RateLimiting:StoreTimeoutMilliseconds"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<RateLimitingOptions>>().Value);

        Assert.Equal(["Gateway__RateLimiting__StoreTimeoutMilliseconds is 0; use 10 to 10000 milliseconds, such as 500"], error.Failures);
    }

    [Fact]
    public void AddGatewayRateLimiting_Registration_ResolvesTheLimiterOverTheResilientStore()
    {
        using var services = Build(new());

        var limiter = services.GetRequiredService<GatewayRateLimiter>();

        Assert.Same(limiter, services.GetRequiredService<GatewayRateLimiter>());
        Assert.IsType<ResilientCounterStore>(services.GetRequiredService<IRateLimitCounterStore>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings["Gateway:Storage:ConnectionString"] = "UseDevelopmentStorage=true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddGatewayAuthentication(configuration)
            .AddGatewayRateLimiting(configuration)
            .Configure<GatewayOptions>(configuration.GetSection(GatewayOptions.SectionName))
            .BuildServiceProvider();
    }
}
