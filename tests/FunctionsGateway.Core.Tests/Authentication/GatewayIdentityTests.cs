using FunctionsGateway.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class GatewayIdentityTests
{
    private static readonly string[] Groups = ["a"];

    [Fact]
    public void TryGetClaim_StringNumberAndBooleanClaims_AreReturnedAsInvariantText()
    {
        var identity = FromPayload(new() { ["sub"] = "u", ["tid"] = "tenant-1", ["tier"] = 3, ["beta"] = true, ["groups"] = Groups });

        Assert.True(identity.TryGetClaim("tid", out var tenant));
        Assert.True(identity.TryGetClaim("tier", out var tier));
        Assert.True(identity.TryGetClaim("beta", out var beta));
        Assert.False(identity.TryGetClaim("groups", out _));
        Assert.False(identity.TryGetClaim("missing", out _));
        Assert.Equal("tenant-1", tenant);
        Assert.Equal("3", tier);
        Assert.Equal("true", beta);
    }

    [Fact]
    public void TryGetClaim_ApiKeyCaller_HasNoClaims()
    {
        var identity = GatewayIdentity.FromApiKey("contoso", new string('a', 64), "gold", []);

        var found = identity.TryGetClaim("sub", out _);

        Assert.False(found);
    }

    [Fact]
    public void ScopesText_IsTheScopesSpaceSeparated_MadeOnceForTheCachedIdentity()
    {
        var identity = GatewayIdentity.FromApiKey("contoso", new string('a', 64), null, ["orders.read", "orders.write"]);

        Assert.Equal("orders.read orders.write", identity.ScopesText);
        Assert.Same(identity.ScopesText, identity.ScopesText);
    }

    [Fact]
    public void ScopesText_NoScopes_IsNull()
    {
        Assert.Null(GatewayIdentity.FromApiKey("contoso", new string('a', 64), null, []).ScopesText);
        Assert.Null(GatewayIdentity.Anonymous.ScopesText);
    }

    [Fact]
    public void FromApiKey_Subject_IsTheHashPrefix()
    {
        var identity = GatewayIdentity.FromApiKey("contoso", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", null, []);

        Assert.Equal("ba7816bf8f01", identity.Subject);
        Assert.True(identity.IsAuthenticated);
    }

    [Fact]
    public void ToString_JwtCaller_ShowsMethodAndConsumerOnly()
    {
        var identity = FromPayload(new() { ["sub"] = "secret-subject" });

        var text = identity.ToString();

        Assert.Equal("Jwt client-app", text);
    }

    private static GatewayIdentity FromPayload(Dictionary<string, object?> payload)
    {
        var token = new JsonWebToken(TestTokens.Encode(new() { ["alg"] = "RS256" }) + "." + TestTokens.Encode(payload) + ".c2ln");
        return GatewayIdentity.FromJwt(token, "client-app", "https://issuer/", [], []);
    }
}
