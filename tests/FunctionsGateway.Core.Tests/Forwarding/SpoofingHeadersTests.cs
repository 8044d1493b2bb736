using FunctionsGateway.Forwarding;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>
/// Headers that would tell a backend something the gateway did not check never reach it: method overrides in any
/// spelling, and forwarding headers spelt with '_'.
/// </summary>
public sealed class SpoofingHeadersTests
{
    [Theory]
    [InlineData("X-HTTP-Method-Override")]
    [InlineData("x-http-method-override")]
    [InlineData("X-HTTP-Method")]
    [InlineData("X-Method-Override")]
    [InlineData("X_HTTP_Method_Override")]
    [InlineData("x_http_method")]
    [InlineData("X-Method_Override")]
    public void Remove_AnySpellingOfAnOverrideHeader_RemovesIt(string name)
    {
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation(name, "DELETE");
        request.Headers.TryAddWithoutValidation("Accept", "application/json");

        SpoofingHeaders.Remove(request.Headers);

        Assert.Equal(["Accept"], request.Headers.NonValidated.Select(h => h.Key));
    }

    [Fact]
    public void Remove_SeveralOverrideHeaders_RemovesThemAll()
    {
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("X-HTTP-Method-Override", "DELETE");
        request.Headers.TryAddWithoutValidation("X_HTTP_Method", "PUT");
        request.Headers.TryAddWithoutValidation("x-method-override", "PATCH");

        SpoofingHeaders.Remove(request.Headers);

        Assert.Empty(request.Headers.NonValidated);
    }

    [Theory]
    [InlineData("X-HTTP-Method-Overrides")]
    [InlineData("X-Method")]
    [InlineData("X-HTTP-Methods")]
    [InlineData("Method-Override")]
    public void Remove_OtherHeaders_KeepsThem(string name)
    {
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation(name, "DELETE");

        SpoofingHeaders.Remove(request.Headers);

        Assert.Equal([name], request.Headers.NonValidated.Select(h => h.Key));
    }

    [Theory]
    [InlineData("X_Forwarded_For")]
    [InlineData("x_forwarded-for")]
    [InlineData("X_Real_IP")]
    [InlineData("X_Forwarded_Host")]
    [InlineData("X_Client_IP")]
    public void Remove_ForwardingHeaderSpeltWithUnderscores_RemovesIt(string name)
    {
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation(name, "10.0.0.1");
        request.Headers.TryAddWithoutValidation("X_Request_Id", "abc");

        SpoofingHeaders.Remove(request.Headers);

        Assert.Equal(["X_Request_Id"], request.Headers.NonValidated.Select(h => h.Key));
    }

    [Fact]
    public void Remove_ForwardingHeaderSpeltWithDashes_IsLeftToTheForwardedHeadersRule()
    {
        // TrustForwardedHeaders decides about these; a trusted proxy in front writes them.
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9");

        SpoofingHeaders.Remove(request.Headers);

        Assert.Equal(["X-Forwarded-For"], request.Headers.NonValidated.Select(h => h.Key));
    }

    [Fact]
    public void RemoveForwarding_EveryForwardingHeaderInAnyCase_RemovesThemAndKeepsTheRest()
    {
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("x-forwarded-for", "203.0.113.9");
        request.Headers.TryAddWithoutValidation("FORWARDED", "for=203.0.113.9");
        request.Headers.TryAddWithoutValidation("X-Real-IP", "203.0.113.9");
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Foo", "kept: not a forwarding header");

        SpoofingHeaders.RemoveForwarding(request.Headers);

        Assert.Equal(["Accept", "X-Forwarded-Foo"], request.Headers.NonValidated.Select(h => h.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RemoveForwarding_NoneThere_ChangesNothing()
    {
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("Accept", "application/json");

        SpoofingHeaders.RemoveForwarding(request.Headers);

        Assert.Equal(["Accept"], request.Headers.NonValidated.Select(h => h.Key));
    }
}
