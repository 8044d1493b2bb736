using System.Net;
using System.Text.Json;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Forwarding;

/// <summary>
/// Rows cannot point the gateway at cloud metadata services or at itself, and rejected values never echo the
/// credentials they carried. No traffic goes to a metadata address: those rows are refused before serving, and
/// the connect-time guard is exercised with names that resolve to loopback.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BackendAddressGuardTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("http://localhost:{port}/")]
    [InlineData("http://127.0.0.1:{port}/")]
    public async Task RouteToTheGatewaysOwnAddress_Is502_AndTheLoopIsLogged(string backend)
    {
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await tables.AddRouteAsync("loop", ("Path", "/loop/{**rest}"), ("Backend", backend.Replace("{port}", gateway.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));

        using var response = await gateway.WaitForAsync(() => new HttpRequestMessage(HttpMethod.Get, "/loop/x"), r => r.StatusCode != HttpStatusCode.NotFound);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("backend_unreachable", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 421 && e.Message.Contains("is the gateway's own listening address, so the request would loop", StringComparison.Ordinal));

        // Had the request looped, every hop would have answered 502 and logged it.
        await gateway.Logs.WaitForAccessLogAsync(": 502 ");
        Assert.Single(gateway.Logs.AccessLog, line => line.Contains(": 502 ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://metadata.google.internal/computeMetadata/v1/")]
    [InlineData("http://[fd00:ec2::254]/")]
    public async Task RouteToAMetadataAddress_IsNotServed_AndTheListingNamesTheSettingThatAllowsIt(string backend)
    {
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
            await t.AddRouteAsync("meta", ("Path", "/meta"), ("Backend", backend)));

        using var response = await gateway.Client.GetAsync("/meta");
        var problem = (await gateway.StatusAsync()).GetProperty("problems").EnumerateArray().Single();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Backend", problem.GetProperty("column").GetString());
        Assert.Contains("set Gateway__Forwarding__AllowLinkLocalBackends=true", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectedUrlsCarryingCredentials_NeitherTheListingNorTheLogsEchoThem()
    {
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
        {
            await t.AddRouteAsync("inline", ("Path", "/inline"), ("Backend", "http://admin:hunter2@orders.test/?code=S3cretCode"));
            await t.AddBackendAsync("pool", "eu", ("Url", "https://orders.test/api?sig=SigValue42&sv=2021"));
            await t.AddRouteAsync("pooled", ("Path", "/pooled"), ("Pool", "pool"));
        });

        var listing = (await gateway.StatusAsync()).GetRawText();
        var logs = string.Join("\n", gateway.Logs.Entries.Select(e => e.Message));

        Assert.Contains("http://***@orders.test/?code=***", listing, StringComparison.Ordinal);
        Assert.Contains("https://orders.test/api?sig=***&sv=2021", listing, StringComparison.Ordinal);
        foreach (var secret in new[] { "hunter2", "S3cretCode", "SigValue42" })
        {
            Assert.DoesNotContain(secret, listing, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
        }
    }
}
