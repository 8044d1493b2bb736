using FunctionsGateway.Configuration;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>Values quoted back in the status listing and logs never carry the credentials they held.</summary>
public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("http://user:pass@host/path", "http://***@host/path")]
    [InlineData("'https://admin@orders.internal:8443' must be", "'https://***@orders.internal:8443' must be")]
    [InlineData("user:pass@host/x", "***@host/x")]
    [InlineData("https://a.b/x?code=abc123&name=ok", "https://a.b/x?code=***&name=ok")]
    [InlineData("https://a.b/?sig=AbC%2Bd&sv=2021", "https://a.b/?sig=***&sv=2021")]
    [InlineData("https://a.b/?api_key=1&access_token=2&Password=3&x-functions-key=4", "https://a.b/?api_key=***&access_token=***&Password=***&x-functions-key=***")]
    [InlineData("storage answered 403 at https://acct.table.core.windows.net/Routes?sv=1&sig=zzz: denied", "storage answered 403 at https://acct.table.core.windows.net/Routes?sv=1&sig=*** denied")]
    public void Redact_CredentialsInAUrl_AreMasked(string text, string expected)
    {
        var redacted = SecretRedactor.Redact(text);

        Assert.Equal(expected, redacted);
    }

    [Theory]
    [InlineData("https://orders.internal.contoso.com/api")]
    [InlineData("/orders/{id}")]
    [InlineData("mailto:ops is not a URL")]
    [InlineData("https://a.b/?page=2&sort=name")]
    public void Redact_NothingSecret_IsUnchanged(string text)
    {
        var redacted = SecretRedactor.Redact(text);

        Assert.Equal(text, redacted);
    }
}
