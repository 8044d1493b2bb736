using FunctionsGateway.Authentication;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class AuthenticationOptionsValidatorTests
{
    private const string Entra = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0";

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new AuthenticationOptionsValidator().Validate(null, new AuthenticationOptions());

        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_EntraIssuer_Succeeds()
    {
        var options = new AuthenticationOptions();
        options.Issuers.Add(Issuer(i => i.Authority = Entra));

        var result = new AuthenticationOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsThemAllAtOnce()
    {
        var options = new AuthenticationOptions { ApiKeyHeader = "Authorization", MaxTokenBytes = 10 };
        options.Issuers.Add(new JwtIssuerOptions());

        var failures = Failures(options);

        Assert.Equal(
            [
                "Gateway:Authentication:ApiKeyHeader 'Authorization' is reserved (Authorization carries bearer tokens, X-Gateway-* is set by the gateway); use another name, such as X-Api-Key",
                "Gateway:Authentication:MaxTokenBytes 10 is out of range; use 1024 to 262144 bytes",
                "Gateway:Authentication:Issuers:0 has no key source; set one of Authority (such as https://login.microsoftonline.com/<tenant-id>/v2.0), MetadataAddress or JwksUrl",
                "Gateway:Authentication:Issuers:0:Audiences needs at least one non-empty audience (the tokens' 'aud', such as api://orders or the API's client id); set Gateway:Authentication:Issuers:0:Audiences:0",
            ],
            failures);
    }

    [Theory]
    [InlineData("X Api Key", "Gateway:Authentication:ApiKeyHeader 'X Api Key' is not a header name; use letters, digits and '-', such as X-Api-Key")]
    [InlineData("x-gateway-key", "Gateway:Authentication:ApiKeyHeader 'x-gateway-key' is reserved (Authorization carries bearer tokens, X-Gateway-* is set by the gateway); use another name, such as X-Api-Key")]
    public void Validate_BadApiKeyHeader_ExplainsTheFix(string header, string expected)
    {
        var failures = Failures(new AuthenticationOptions { ApiKeyHeader = header });

        Assert.Equal([expected], failures);
    }

    [Fact]
    public void Validate_NumbersOutOfRange_NameTheSettingAndTheRange()
    {
        var options = new AuthenticationOptions
        {
            ApiKeyCacheSeconds = 0,
            ApiKeyStaleSeconds = -1,
            ApiKeyNegativeCacheSeconds = 4000,
            ApiKeyCacheSize = 0,
            ApiKeyNegativeCacheSize = -1,
            MaxConcurrentApiKeyLookups = 0,
            MaxQueuedApiKeyLookups = -1,
            MaxFailedAuthPerClient = -1,
            FailedAuthWindowSeconds = 0,
            FailedAuthTrackedClients = 0,
            MetadataRefreshMinutes = 0,
            MinimumMetadataRefreshSeconds = 0,
            UnknownKeyRefreshSeconds = 60,
            MetadataTimeoutSeconds = 500,
        };

        var failures = Failures(options);

        Assert.Equal(
            [
                "Gateway:Authentication:ApiKeyCacheSeconds 0 is out of range; use 1 to 3600 seconds",
                "Gateway:Authentication:ApiKeyStaleSeconds -1 is out of range; use 0 to 86400 seconds (0 turns serving a stale key off)",
                "Gateway:Authentication:ApiKeyNegativeCacheSeconds 4000 is out of range; use 1 to 3600 seconds",
                "Gateway:Authentication:ApiKeyCacheSize 0 is out of range; use 1 to 1000000 entries",
                "Gateway:Authentication:ApiKeyNegativeCacheSize -1 is out of range; use 1 to 1000000 entries",
                "Gateway:Authentication:MaxConcurrentApiKeyLookups 0 is out of range; use 1 to 1024 lookups",
                "Gateway:Authentication:MaxQueuedApiKeyLookups -1 is out of range; use 0 to 100000 lookups",
                "Gateway:Authentication:MaxFailedAuthPerClient -1 is out of range; use 0 to 100000 failures (0 turns the throttle off)",
                "Gateway:Authentication:FailedAuthWindowSeconds 0 is out of range; use 1 to 3600 seconds",
                "Gateway:Authentication:FailedAuthTrackedClients 0 is out of range; use 1 to 1000000 addresses",
                "Gateway:Authentication:MetadataRefreshMinutes 0 is out of range; use 1 to 1440 minutes",
                "Gateway:Authentication:MinimumMetadataRefreshSeconds 0 is out of range; use 1 to 3600 seconds",
                "Gateway:Authentication:UnknownKeyRefreshSeconds 60 is out of range; use 1 to 30 seconds (a token with an unknown kid may wait this long)",
                "Gateway:Authentication:MetadataTimeoutSeconds 500 is out of range; use 1 to 120 seconds",
            ],
            failures);
    }

    [Fact]
    public void Validate_RealmWithAQuote_ExplainsTheFix()
    {
        var failures = Failures(new AuthenticationOptions { Realm = "my \"gateway\"" });

        Assert.Equal(["Gateway:Authentication:Realm 'my \"gateway\"' cannot go in a WWW-Authenticate header; use printable ASCII without quotes or backslashes, such as gateway"], failures);
    }

    [Fact]
    public void Validate_TwoKeySources_ExplainsTheFix()
    {
        var failures = Failures(Issuer(i =>
        {
            i.Authority = Entra;
            i.JwksUrl = "https://keys.example/jwks";
            i.Issuer = "https://issuer.example/";
        }));

        Assert.Equal(["Gateway:Authentication:Issuers:0 sets Authority and JwksUrl; set exactly one of Authority, MetadataAddress or JwksUrl"], failures);
    }

    [Fact]
    public void Validate_RelativeAuthority_ExplainsTheFix()
    {
        var failures = Failures(Issuer(i => i.Authority = "login.microsoftonline.com/tenant"));

        Assert.Equal(["Gateway:Authentication:Issuers:0:Authority 'login.microsoftonline.com/tenant' is not an absolute http(s) URL; use such as https://login.microsoftonline.com/<tenant-id>/v2.0"], failures);
    }

    [Fact]
    public void Validate_HttpMetadataWhileHttpsIsRequired_ExplainsTheFix()
    {
        var failures = Failures(Issuer(i => i.MetadataAddress = "http://idp.example/.well-known/openid-configuration"));

        Assert.Equal(["Gateway:Authentication:Issuers:0:MetadataAddress 'http://idp.example/.well-known/openid-configuration' is not https; signing keys must come over https (set Gateway:Authentication:RequireHttpsMetadata=false only for local tests)"], failures);
    }

    [Fact]
    public void Validate_HttpMetadataWhenAllowed_Succeeds()
    {
        var options = new AuthenticationOptions { RequireHttpsMetadata = false };
        options.Issuers.Add(Issuer(i => i.Authority = "http://127.0.0.1:5000"));

        var result = new AuthenticationOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_JwksWithoutIssuer_ExplainsTheFix()
    {
        var failures = Failures(Issuer(i => i.JwksUrl = "https://keys.example/jwks"));

        Assert.Equal(["Gateway:Authentication:Issuers:0:Issuer is required with JwksUrl, because a bare JWKS does not name its issuer; set it to the tokens' exact 'iss' value"], failures);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(301)]
    public void Validate_ClockSkewOutOfRange_ExplainsTheFix(int seconds)
    {
        var failures = Failures(Issuer(i =>
        {
            i.Authority = Entra;
            i.ClockSkewSeconds = seconds;
        }));

        Assert.Equal([$"Gateway:Authentication:Issuers:0:ClockSkewSeconds {seconds} is out of range; use 0 to 300 (RFC 7519 leeway of at most a few minutes; default 60)"], failures);
    }

    [Theory]
    [InlineData("HS256", " (symmetric algorithms and 'none' are never accepted: they allow key confusion and unsigned tokens)")]
    [InlineData("none", " (symmetric algorithms and 'none' are never accepted: they allow key confusion and unsigned tokens)")]
    [InlineData("rs256", "")]
    public void Validate_DisallowedAlgorithm_ExplainsTheFix(string algorithm, string hint)
    {
        var failures = Failures(Issuer(i =>
        {
            i.Authority = Entra;
            i.Algorithms.Add(algorithm);
        }));

        Assert.Equal([$"Gateway:Authentication:Issuers:0:Algorithms '{algorithm}' is not an accepted algorithm{hint}; use some of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512"], failures);
    }

    [Fact]
    public void Validate_EmptyConsumerClaim_ExplainsTheFix()
    {
        var failures = Failures(Issuer(i =>
        {
            i.Authority = Entra;
            i.ConsumerClaims.Add(" ");
        }));

        Assert.Equal(["Gateway:Authentication:Issuers:0:ConsumerClaims has an empty entry; list claim names such as azp, client_id, appid, sub"], failures);
    }

    [Fact]
    public void Validate_SameIssuerTwice_ExplainsTheFix()
    {
        var options = new AuthenticationOptions();
        options.Issuers.Add(Issuer(i =>
        {
            i.Authority = Entra;
            i.Issuer = "https://sts.windows.net/t/";
        }));
        options.Issuers.Add(Issuer(i =>
        {
            i.JwksUrl = "https://keys.example/jwks";
            i.Issuer = "https://sts.windows.net/t/";
        }));

        var failures = Failures(options);

        Assert.Equal(["Gateway:Authentication:Issuers:1:Issuer 'https://sts.windows.net/t/' is configured twice; keep one entry per issuer and list all its audiences there"], failures);
    }

    private static JwtIssuerOptions Issuer(Action<JwtIssuerOptions> configure)
    {
        var issuer = new JwtIssuerOptions();
        issuer.Audiences.Add("api://orders");
        configure(issuer);
        return issuer;
    }

    private static string[] Failures(JwtIssuerOptions issuer)
    {
        var options = new AuthenticationOptions();
        options.Issuers.Add(issuer);
        return Failures(options);
    }

    private static string[] Failures(AuthenticationOptions options)
    {
        var result = new AuthenticationOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        return [.. result.Failures!];
    }
}
