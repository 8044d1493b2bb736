using System.Net.Http.Headers;
using FunctionsGateway.Authentication;

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
    [InlineData("jwt", "false", false)]
    [InlineData("apikey", null, false)]
    [InlineData("anonymous", null, false)]
    [InlineData("anonymous", "true", true)]
    public void Apply_AuthorizationHeader_IsForwardedOnlyWhenThePolicySaysSo(string auth, string? forward, bool expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://backend/");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "eyJ.eyJ.sig");

        IdentityHeaders.Apply(request, GatewayIdentity.Anonymous, Policy(auth, forward), "X-Api-Key");

        Assert.Equal(expected, request.Headers.Contains("Authorization"));
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

        IdentityHeaders.RemoveClientHeaders(request);

        Assert.True(request.Headers.Contains("X-Gatewayish"));
        Assert.True(request.Headers.Contains("X-Request-Id"));
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
