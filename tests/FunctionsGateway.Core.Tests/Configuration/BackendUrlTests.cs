using FunctionsGateway.Configuration;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>The base address of a backend, as written in a Backends row's <c>Url</c> or a route's <c>Backend</c>.</summary>
public sealed class BackendUrlTests
{
    [Theory]
    [InlineData("https://orders.internal.contoso.com")]
    [InlineData("http://10.0.0.4:8080/api")]
    [InlineData("http://localhost:5001/")]
    [InlineData("HTTPS://Orders.Internal")]
    [InlineData("http://[::1]:8080")]
    public void TryParse_AbsoluteHttpOrHttpsBaseAddress_Succeeds(string text)
    {
        var ok = BackendUrl.TryParse(text, out var url, out var error);

        Assert.True(ok);
        Assert.Equal(new Uri(text), url);
        Assert.Empty(error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("orders.internal")]
    [InlineData("/orders")]
    [InlineData("ftp://orders.internal")]
    [InlineData("file:///srv/orders")]
    [InlineData("mailto:ops@contoso.com")]
    public void TryParse_NotAnAbsoluteHttpUrl_FailsWithAnExample(string text)
    {
        var ok = BackendUrl.TryParse(text, out _, out var error);

        Assert.False(ok);
        Assert.Equal(
            $"'{text}' is not an absolute http or https URL; write a base address such as https://orders.internal.contoso.com or http://10.0.0.4:8080/api",
            error);
    }

    [Theory]
    [InlineData("https://orders.internal/?a=1")]
    [InlineData("https://orders.internal/#x")]
    [InlineData("https://user:pass@orders.internal")]
    [InlineData("https://user@orders.internal")]
    public void TryParse_QueryFragmentOrUserInfo_FailsSayingBaseAddressOnly(string text)
    {
        var ok = BackendUrl.TryParse(text, out _, out var error);

        Assert.False(ok);
        Assert.Equal($"'{text}' must be a base address only: no query string, fragment or user:password@", error);
    }
}
