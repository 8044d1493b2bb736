using System.Text.Json;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.IntegrationTests.Configuration;

/// <summary>
/// Mistakes a newcomer makes, sent over HTTP through the DevHost on Azurite: each is named on the status listing or
/// answered plainly, instead of being found out by a client.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class NewcomerMistakeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task JwtRouteWithoutAnyIssuer_IsOnTheStatusListingWithWhatToSet()
    {
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString,
            t => t.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", "http://127.0.0.1:9"), ("Auth", "jwt")));

        var problem = Assert.Single(Problems(await gateway.StatusAsync()));

        Assert.Equal("warning", problem.GetProperty("severity").GetString());
        Assert.Equal("orders", problem.GetProperty("rowKey").GetString());
        Assert.Equal("Auth", problem.GetProperty("column").GetString());
        Assert.StartsWith("is 'jwt' but no JWT issuer is configured, so every token is refused as 'issuer is not trusted'. Set Gateway__Authentication__Issuers__0__Authority",
            problem.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoRoutesWithTheSameConditions_TheShadowedOneIsListed_AndTheOtherServes()
    {
        await using var served = await TestBackend.StartAsync(c => c.Response.WriteAsync("served"));
        await using var shadowed = await TestBackend.StartAsync(c => c.Response.WriteAsync("shadowed"));
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
        {
            await t.AddRouteAsync("orders", ("Path", "/orders/{id}"), ("Backend", served.Url.ToString()), ("Methods", "GET"));
            await t.AddRouteAsync("orders-copy", ("Path", "/orders/{orderId}"), ("Backend", shadowed.Url.ToString()), ("Methods", "get"));
        });

        var problem = Assert.Single(Problems(await gateway.StatusAsync()));
        var body = await gateway.Client.GetStringAsync("/orders/42");

        Assert.Equal("orders-copy", problem.GetProperty("rowKey").GetString());
        Assert.Matches("^never serves: Routes[0-9a-f]* 'public/orders' has the same Path, Methods, Hosts and MatchHeaders and is chosen first",
            problem.GetProperty("message").GetString());
        Assert.Equal("served", body);
    }

    [Fact]
    public async Task ProblemJson_WritesApostrophesAsTheyAre_AndIsNotSniffable()
    {
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, _ => Task.CompletedTask);

        using var response = await gateway.Client.GetAsync("/nowhere");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Contains("matches the request's method", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", body, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task AccessLog_FieldsThatDoNotApply_AreWrittenAsADash()
    {
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, _ => Task.CompletedTask);

        using var response = await gateway.Client.GetAsync("/nowhere");

        var line = await gateway.Logs.WaitForAccessLogAsync("/nowhere");

        Assert.Single(gateway.Logs.AccessLog);
        Assert.StartsWith("GET /nowhere → route - backend -: 404 route_not_found in ", line, StringComparison.Ordinal);
        Assert.EndsWith(" consumer - subject - via -", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StorageUnreachable_IsLoggedOnceInOneLine_WithoutTheSdksRetryAdvice()
    {
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        var unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            + "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
            + "TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        await using var gateway = await GatewayUnderTest.StartAsync(unreachable, tables);

        var attempts = new HashSet<string>();
        var started = TimeProvider.System.GetTimestamp();
        while (attempts.Count < 3 && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(45))
        {
            if ((await gateway.StatusAsync()).GetProperty("lastAttemptAt").GetString() is { } attempt)
            {
                attempts.Add(attempt);
            }

            await Task.Delay(200);
        }

        Assert.True(attempts.Count >= 3, "three failed reads were expected within 45 s");
        var warning = Assert.Single(gateway.Logs.Entries, e => e.EventId.Id == 102);
        Assert.DoesNotContain('\n', warning.Message);
        Assert.DoesNotContain("Retry settings", warning.Message, StringComparison.Ordinal);
        Assert.Null(warning.Exception);
        Assert.Equal("Could not read the routing tables of storage account 'devstoreaccount1': storage unreachable: Connection refused (127.0.0.1:1). "
            + "The last loaded routes keep serving.", warning.Message);
    }

    private static List<JsonElement> Problems(JsonElement status) => [.. status.GetProperty("problems").EnumerateArray()];
}
