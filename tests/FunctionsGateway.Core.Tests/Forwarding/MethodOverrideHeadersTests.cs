using FunctionsGateway.Forwarding;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>Headers that ask a backend to run another method than the one the gateway matched never reach it.</summary>
public sealed class MethodOverrideHeadersTests
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

        MethodOverrideHeaders.Remove(request.Headers);

        Assert.Equal(["Accept"], request.Headers.NonValidated.Select(h => h.Key));
    }

    [Fact]
    public void Remove_SeveralOverrideHeaders_RemovesThemAll()
    {
        using var request = new HttpRequestMessage();
        request.Headers.TryAddWithoutValidation("X-HTTP-Method-Override", "DELETE");
        request.Headers.TryAddWithoutValidation("X_HTTP_Method", "PUT");
        request.Headers.TryAddWithoutValidation("x-method-override", "PATCH");

        MethodOverrideHeaders.Remove(request.Headers);

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

        MethodOverrideHeaders.Remove(request.Headers);

        Assert.Equal([name], request.Headers.NonValidated.Select(h => h.Key));
    }
}
