using System.Net.Http.Headers;
using FunctionsGateway.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class IdentityHeadersTests
{
    private static readonly GatewayIdentity KeyCaller =
        GatewayIdentity.FromApiKey("contoso", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "gold", ["orders.read", "orders.write"]);

    [Fact]
    public void Apply_SpoofedGatewayHeadersInAnyCase_AreReplacedByTheGatewaysOwn()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/orders");
        request.Headers.TryAddWithoutValidation("X-Gateway-Consumer", "admin");
        request.Headers.TryAddWithoutValidation("x-gateway-auth-method", "jwt");
        request.Headers.TryAddWithoutValidation("X-GATEWAY-Roles", "Admin");
        request.Headers.TryAddWithoutValidation("X-Gateway-Anything-Else", "spoof");
        request.Content = new StringContent("{}");
        request.Content.Headers.TryAddWithoutValidation("X-Gateway-Plan", "platinum");

        IdentityHeaders.Apply(request, KeyCaller, Policy("apikey"), "X-Api-Key");

        Assert.Equal(
            [
                ("X-Gateway-Auth-Method", "apikey"),
                ("X-Gateway-Consumer", "contoso"),
                ("X-Gateway-Plan", "gold"),
                ("X-Gateway-Scopes", "orders.read orders.write"),
                ("X-Gateway-Subject", "ba7816bf8f01"),
            ],
            GatewayHeaders(request.Headers));
        Assert.Empty(GatewayHeaders(request.Content.Headers));
    }

    [Fact]
    public void Apply_AnonymousCallerWithSpoofedHeaders_SendsOnlyTheAuthMethod()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        request.Headers.TryAddWithoutValidation("X-Gateway-Consumer", "admin");
        request.Headers.TryAddWithoutValidation("X-Gateway-Subject", "root");

        IdentityHeaders.Apply(request, GatewayIdentity.Anonymous, AuthPolicy.Anonymous, "X-Api-Key");

        Assert.Equal([("X-Gateway-Auth-Method", "anonymous")], GatewayHeaders(request.Headers));
    }

    [Fact]
    public void Apply_ApiKeyHeader_IsNeverForwarded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        request.Headers.TryAddWithoutValidation("x-api-key", "fgw_secret");

        IdentityHeaders.Apply(request, KeyCaller, Policy("apikey", forward: "true"), "X-Api-Key");

        Assert.False(request.Headers.Contains("X-Api-Key"));
    }

    [Theory]
    [InlineData("jwt", null, true)]
    [InlineData("jwt|apikey", null, true)]
    [InlineData("jwt", "false", false)]
    [InlineData("jwt|apikey", "false", false)]
    public void Apply_AuthorizationOfACallerAuthenticatedByItsToken_IsForwardedUnlessTheRouteSaysNot(string auth, string? forward, bool expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer eyJ.eyJ.sig");

        IdentityHeaders.Apply(request, TokenCaller(), Policy(auth, forward), "X-Api-Key");

        Assert.Equal(expected, request.Headers.Contains("Authorization"));
    }

    [Theory]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Bearer\teyJ.eyJ.sig")]
    [InlineData("Bearer eyJ.eyJ.sig")]
    [InlineData("Negotiate abc, Bearer eyJ.eyJ.sig")]
    public void Apply_AuthorizationOnAJwtOrApiKeyRouteCalledWithAnApiKey_IsNeverForwarded(string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        IdentityHeaders.Apply(request, KeyCaller, Policy("jwt|apikey"), "X-Api-Key");

        Assert.False(request.Headers.Contains("Authorization"));
    }

    [Theory]
    [InlineData("apikey", null, false)]
    [InlineData("apikey", "true", true)]
    [InlineData("anonymous", null, false)]
    [InlineData("anonymous", "true", true)]
    public void Apply_AuthorizationOnARouteThatNeverReadsIt_PassesThroughOnlyWhenTheRouteAsksExplicitly(string auth, string? forward, bool expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic YWRtaW46YWRtaW4=");
        var caller = auth == "apikey" ? KeyCaller : GatewayIdentity.Anonymous;

        IdentityHeaders.Apply(request, caller, Policy(auth, forward), "X-Api-Key");

        Assert.Equal(expected, request.Headers.Contains("Authorization"));
    }

    [Theory]
    [InlineData("X_Gateway_Consumer")]
    [InlineData("x_gateway-subject")]
    [InlineData("X-GATEWAY_AUTH_METHOD")]
    [InlineData("x_gateway_anything")]
    [InlineData("X_Api_Key")]
    [InlineData("x_api-KEY")]
    public void Apply_ClientHeaderThatReadsAsAGatewayOrApiKeyHeaderOnceUnderscoresAreDashes_IsRemoved(string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        request.Headers.TryAddWithoutValidation(name, "admin");

        IdentityHeaders.Apply(request, GatewayIdentity.Anonymous, AuthPolicy.Anonymous, "X-Api-Key");

        Assert.DoesNotContain(request.Headers.NonValidated, h => h.Key == name);
    }

    [Fact]
    public void Apply_CustomApiKeyHeaderSpeltWithUnderscores_IsRemoved()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        request.Headers.TryAddWithoutValidation("Ocp_Apim_Subscription_Key", "fgw_secret");
        request.Headers.TryAddWithoutValidation("X_Api_Key", "kept: not the key header here");

        IdentityHeaders.Apply(request, GatewayIdentity.Anonymous, AuthPolicy.Anonymous, "Ocp-Apim-Subscription-Key");

        Assert.False(request.Headers.Contains("Ocp_Apim_Subscription_Key"));
        Assert.True(request.Headers.Contains("X_Api_Key"));
    }

    [Theory]
    [InlineData("X-Gateway-Consumer", "X-Api-Key", true)]
    [InlineData("x_GATEWAY_", "X-Api-Key", true)]
    [InlineData("X_Api_Key", "X-Api-Key", true)]
    [InlineData("X-Gateway", "X-Api-Key", false)]
    [InlineData("X-Gatewayish", "X-Api-Key", false)]
    [InlineData("X-Api-Keys", "X-Api-Key", false)]
    [InlineData("X.Api.Key", "X-Api-Key", false)]
    [InlineData("X_Request_Id", "X-Api-Key", false)]
    public void IsReserved_ComparesNamesIgnoringCaseWithUnderscoreForDash(string name, string apiKeyHeader, bool expected)
    {
        var reserved = IdentityHeaders.IsReserved(name, apiKeyHeader);

        Assert.Equal(expected, reserved);
    }

    [Fact]
    public void Set_ValueWithNonAsciiOrControlCharacters_IsPercentEncoded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        var identity = GatewayIdentity.FromApiKey("Zoë\r\nX-Injected: 1", new string('a', 64), null, []);

        IdentityHeaders.Set(request, identity);

        Assert.Equal("Zo%C3%AB%0D%0AX-Injected%3A%201", request.Headers.GetValues("X-Gateway-Consumer").Single());
        Assert.False(request.Headers.Contains("X-Injected"));
    }

    [Fact]
    public void RemoveClientHeaders_OtherHeaders_AreKept()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        request.Headers.TryAddWithoutValidation("X-Gatewayish", "keep");
        request.Headers.TryAddWithoutValidation("X-Request-Id", "keep");
        request.Headers.TryAddWithoutValidation("X_Request_Id", "keep");
        request.Headers.TryAddWithoutValidation("Authorization", "Basic YWRtaW46YWRtaW4=");

        IdentityHeaders.RemoveClientHeaders(request, "X-Api-Key");

        Assert.True(request.Headers.Contains("X-Gatewayish"));
        Assert.True(request.Headers.Contains("X-Request-Id"));
        Assert.True(request.Headers.Contains("X_Request_Id"));
        Assert.True(request.Headers.Contains("Authorization"));
    }

    [Fact]
    public void RemoveClientHeaders_NothingToRemove_AllocatesNothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://backend/");
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Headers.TryAddWithoutValidation("X-Request-Id", "abc");
        request.Headers.TryAddWithoutValidation("X_Request_Id", "abc");
        request.Content = new StringContent("{}");
        IdentityHeaders.RemoveClientHeaders(request, "X-Api-Key");

        var before = GC.GetAllocatedBytesForCurrentThread();
        IdentityHeaders.RemoveClientHeaders(request, "X-Api-Key");
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private static GatewayIdentity TokenCaller()
    {
        var token = new JsonWebToken(TestTokens.Encode(new() { ["alg"] = "RS256" }) + "." + TestTokens.Encode(new() { ["sub"] = "user-42" }) + ".c2ln");
        return GatewayIdentity.FromJwt(token, "client-app", "https://issuer/", [], []);
    }

    private static (string, string)[] GatewayHeaders(HttpHeaders headers) =>
        [.. headers.NonValidated
            .Where(h => h.Key.StartsWith("X-Gateway-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (h.Key, string.Join(',', h.Value)))
            .OrderBy(h => h.Key, StringComparer.Ordinal)];

    private static AuthPolicy Policy(string auth, string? forward = null)
    {
        Assert.True(AuthPolicy.TryParse(auth, null, null, forward, out var policy, out _, out var error), error);
        return policy;
    }
}
