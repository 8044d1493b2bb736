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
    public void TryParse_NotAnAbsoluteHttpUrl_FailsWithAnExample(string text)
    {
        var ok = BackendUrl.TryParse(text, out _, out var error);

        Assert.False(ok);
        Assert.Equal(
            $"'{text}' is not an absolute http or https URL; write a base address such as https://orders.internal.contoso.com or http://10.0.0.4:8080/api",
            error);
    }

    [Theory]
    [InlineData("https://orders.internal/?a=1", "https://orders.internal/?a=1")]
    [InlineData("https://orders.internal/#x", "https://orders.internal/#x")]
    [InlineData("https://user:pass@orders.internal", "https://***@orders.internal")]
    [InlineData("https://user@orders.internal", "https://***@orders.internal")]
    [InlineData("https://orders.internal/?code=s3cret&x=1", "https://orders.internal/?code=***&x=1")]
    public void TryParse_QueryFragmentOrUserInfo_FailsSayingBaseAddressOnly_WithoutQuotingCredentials(string text, string quoted)
    {
        var ok = BackendUrl.TryParse(text, out _, out var error);

        Assert.False(ok);
        Assert.Equal($"'{quoted}' must be a base address only: no query string, fragment or user:password@", error);
    }

    [Theory]
    [InlineData("mailto:ops@contoso.com", "***@contoso.com")]
    [InlineData("user:hunter2@orders.internal", "***@orders.internal")]
    public void TryParse_NotAnHttpUrlCarryingUserInfo_FailsWithoutQuotingIt(string text, string quoted)
    {
        var ok = BackendUrl.TryParse(text, out _, out var error);

        Assert.False(ok);
        Assert.StartsWith($"'{quoted}' is not an absolute http or https URL", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://169.254.0.1:8080")]
    [InlineData("http://2852039166/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[fd00:ec2::254]/")]
    [InlineData("http://100.100.100.200/")]
    [InlineData("http://0.0.0.0:8080/")]
    [InlineData("http://[::]/")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1")]
    [InlineData("http://METADATA/")]
    public void TryParse_MetadataOrLinkLocalAddress_FailsNamingTheSettingThatAllowsIt(string text)
    {
        var ok = BackendUrl.TryParse(text, out _, out var error);

        Assert.False(ok);
        Assert.Contains("points at a cloud metadata or link-local address", error, StringComparison.Ordinal);
        Assert.Contains("set Gateway__Forwarding__AllowLinkLocalBackends=true if forwarding there is really meant", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://169.254.169.254/")]
    [InlineData("http://metadata.google.internal/")]
    public void TryParse_MetadataAddressWhenAllowed_Succeeds(string text)
    {
        var ok = BackendUrl.TryParse(text, out var url, out _, allowLinkLocal: true);

        Assert.True(ok);
        Assert.Equal(new Uri(text), url);
    }

    [Theory]
    [InlineData("http://169.253.1.1/")]
    [InlineData("http://100.100.100.201/")]
    [InlineData("http://[fd00:ec2::253]/")]
    [InlineData("http://metadata.contoso.com/")]
    public void TryParse_AddressNextToARestrictedOne_Succeeds(string text)
    {
        var ok = BackendUrl.TryParse(text, out _, out var error);

        Assert.True(ok, error);
    }
}
