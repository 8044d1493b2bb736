using FunctionsGateway.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class AuthenticationServiceCollectionExtensionsTests
{
    [Fact]
    public void AddGatewayAuthentication_AppSettings_BindIssuersAudiencesAndAlgorithms()
    {
        using var services = Build(new()
        {
            ["Gateway:Authentication:ApiKeyHeader"] = "X-Key",
            ["Gateway:Authentication:Issuers:0:Authority"] = "https://login.microsoftonline.com/t/v2.0",
            ["Gateway:Authentication:Issuers:0:Audiences:0"] = "api://orders",
            ["Gateway:Authentication:Issuers:0:Audiences:1"] = "00000000-0000-0000-0000-0000000000aa",
            ["Gateway:Authentication:Issuers:0:Algorithms:0"] = "RS256",
            ["Gateway:Authentication:Issuers:1:JwksUrl"] = "https://keys.example/jwks",
            ["Gateway:Authentication:Issuers:1:Issuer"] = "https://issuer.example/",
            ["Gateway:Authentication:Issuers:1:Audiences:0"] = "orders",
        });

        var options = services.GetRequiredService<IOptions<AuthenticationOptions>>().Value;

        Assert.Equal("X-Key", options.ApiKeyHeader);
        Assert.Equal(2, options.Issuers.Count);
        Assert.Equal(["api://orders", "00000000-0000-0000-0000-0000000000aa"], options.Issuers[0].Audiences);
        Assert.Equal(["RS256"], options.Issuers[0].EffectiveAlgorithms);
        Assert.Equal(JwtIssuerOptions.DefaultAlgorithms, options.Issuers[1].EffectiveAlgorithms);
        Assert.Equal(JwtIssuerOptions.DefaultConsumerClaims, options.Issuers[1].EffectiveConsumerClaims);
    }

    [Fact]
    public void AddGatewayAuthentication_Registration_ResolvesOneAuthenticatorAsASingleton()
    {
        using var services = Build(new());

        var first = services.GetRequiredService<GatewayAuthenticator>();
        var second = services.GetRequiredService<GatewayAuthenticator>();

        Assert.Same(first, second);
        Assert.IsType<TableApiKeyLookup>(services.GetRequiredService<IApiKeyLookup>());
    }

    [Fact]
    public void AddGatewayAuthentication_InvalidSettings_FailWithEveryProblem()
    {
        using var services = Build(new()
        {
            ["Gateway:Authentication:ApiKeyCacheSeconds"] = "0",
            ["Gateway:Authentication:Issuers:0:JwksUrl"] = "https://keys.example/jwks",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AuthenticationOptions>>().Value);

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains("Gateway:Authentication:ApiKeyCacheSeconds 0 is out of range", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Authentication:Issuers:0:Issuer is required with JwksUrl", error.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Authentication:Issuers:0:Audiences needs at least one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGatewayAuthentication_NoStorageConfigured_ExplainsWhatToSet()
    {
        var configuration = new ConfigurationBuilder().Build();
        using var services = new ServiceCollection().AddLogging().AddGatewayAuthentication(configuration).BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IApiKeyLookup>());

        Assert.StartsWith("No storage is configured for API keys; set Gateway:Storage:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        settings["Gateway:Storage:ConnectionString"] = "UseDevelopmentStorage=true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddGatewayAuthentication(configuration).BuildServiceProvider();
    }
}
