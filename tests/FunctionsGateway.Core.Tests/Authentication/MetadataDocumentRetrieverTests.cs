using FunctionsGateway.Authentication;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class MetadataDocumentRetrieverTests : IAsyncLifetime
{
    private TestOidcProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _provider = await TestOidcProvider.StartAsync();
        _provider.PublishJwks("""{"keys":[]}""");
    }

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact]
    public async Task GetDocumentAsync_HttpAllowed_ReturnsTheBody()
    {
        var retriever = new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: false);

        var body = await retriever.GetDocumentAsync(_provider.JwksUrl, CancellationToken.None);

        Assert.Equal("""{"keys":[]}""", body);
    }

    [Fact]
    public async Task GetDocumentAsync_HttpWhileHttpsRequired_ThrowsWithoutARequest()
    {
        var retriever = new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: true);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => retriever.GetDocumentAsync(_provider.JwksUrl, CancellationToken.None));

        Assert.Equal($"Signing keys are not fetched from '{_provider.JwksUrl}': it is not an https URL.", error.Message);
        Assert.Equal(0, _provider.JwksRequests);
    }

    [Fact]
    public async Task GetDocumentAsync_FileUrl_IsRefused()
    {
        var retriever = new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: false);

        await Assert.ThrowsAsync<InvalidOperationException>(() => retriever.GetDocumentAsync("file:///etc/passwd", CancellationToken.None));
    }

    [Fact]
    public async Task GetDocumentAsync_EndpointDown_Throws()
    {
        var retriever = new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: false);
        await _provider.TakeDownAsync();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => retriever.GetDocumentAsync(_provider.JwksUrl, CancellationToken.None));
    }
}
