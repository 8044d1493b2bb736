using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Configuration;

/// <summary>
/// Every instance serves the same version of every row: the last valid version of a row lives in the shared
/// <c>LastValidRows</c> table on Azurite, so a gateway started after an invalid edit serves what a running one serves,
/// and both status listings say so. Copies that cannot be read, or were broken by hand, never stop the gateway.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LastValidRowsTests(AzuriteFixture azurite)
{
    private const string CopyKey = "public|orders";

    [Fact]
    public async Task InvalidEdit_GatewayStartedAfterIt_ServesTheSameLastValidVersionAsTheRunningOne()
    {
        await using var v1 = await EchoBackend.StartAsync("v1", "http://127.0.0.1:0");
        await using var v2 = await EchoBackend.StartAsync("v2", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", v1.Url.ToString()));
        await using var running = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await ServedByAsync(running, "v1");
        await WaitForCopyAsync(tables, copy => copy.GetString("Backend") == v1.Url.ToString());

        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", v2.Url.ToString()), ("TimeoutSeconds", "soon"));
        var runningStatus = await running.WaitForStatusAsync(status => Problems(status).Length == 1);
        await using var started = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        var startedStatus = await started.WaitForStatusAsync(status => status.GetProperty("status").GetString() == "ok");

        await ServedByAsync(running, "v1");
        await ServedByAsync(started, "v1");
        var problem = Assert.Single(Problems(startedStatus));
        Assert.Equal(("TimeoutSeconds", true), (problem.GetProperty("column").GetString(), problem.GetProperty("servingLastValidVersion").GetBoolean()));
        Assert.Equal(Problems(runningStatus).Select(p => p.GetRawText()), Problems(startedStatus).Select(p => p.GetRawText()));
        Assert.Equal(1, startedStatus.GetProperty("routes").GetInt32());
    }

    [Fact]
    public async Task ProtectedRowWhoseCopyWasEditedToDropAuth_IsNotServedAnonymouslyByAnyGateway()
    {
        await using var backend = await EchoBackend.StartAsync("private", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()), ("Auth", "jwt"));
        await using var running = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await WaitForCopyAsync(tables, copy => copy.GetString("Auth") == "jwt");
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()), ("Auth", "jwt"), ("TimeoutSeconds", "soon"));
        await running.WaitForStatusAsync(s => ServingLastValidVersion(s, "TimeoutSeconds") == true);
        using (var protectedAnswer = await running.Client.GetAsync("/orders"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, protectedAnswer.StatusCode);
        }

        var copy = await WaitForCopyAsync(tables, _ => true);
        copy.Remove("Auth");
        await tables.LastValidRows.UpdateEntityAsync(copy, copy.ETag, TableUpdateMode.Replace);
        await using var started = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);

        foreach (var gateway in new[] { running, started })
        {
            await gateway.WaitForStatusAsync(s => ServingLastValidVersion(s, "TimeoutSeconds") == false);
            using var response = await gateway.Client.GetAsync("/orders");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task CopyBrokenByHand_IsReportedNotServedAndWrittenAgainOnceTheRowIsValid()
    {
        await using var backend = await EchoBackend.StartAsync("v1", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()));
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await WaitForCopyAsync(tables, _ => true);
        await tables.AddRouteAsync("orders", ("Path", "orders"), ("Backend", backend.Url.ToString()));
        await gateway.WaitForStatusAsync(s => ServingLastValidVersion(s, "Path") == true);

        var copy = await WaitForCopyAsync(tables, _ => true);
        copy["Backend"] = "orders.internal";
        await tables.LastValidRows.UpdateEntityAsync(copy, copy.ETag, TableUpdateMode.Replace);
        var status = await gateway.WaitForStatusAsync(s => Problems(s).Any(p => p.GetProperty("table").GetString() == tables.LastValidRows.Name));

        var warning = Problems(status).Single(p => p.GetProperty("table").GetString() == tables.LastValidRows.Name);
        Assert.Equal(("warning", tables.Routes.Name, CopyKey, "Backend"), (warning.GetProperty("severity").GetString(), warning.GetProperty("partitionKey").GetString(), warning.GetProperty("rowKey").GetString(), warning.GetProperty("column").GetString()));
        Assert.Contains("so it is not served; the gateway writes the copy again when the row is valid, or delete it", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(ServingLastValidVersion(status, "Path"));
        using (var refused = await gateway.Client.GetAsync("/orders"))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()));
        await ServedByAsync(gateway, "v1");
        await WaitForCopyAsync(tables, c => c.GetString("Backend") == backend.Url.ToString());
    }

    [Fact]
    public async Task GatewayStartedWhileTheCopiesCannotBeRead_ServesValidRowsAndSaysWhyOnce()
    {
        await using var backend = await EchoBackend.StartAsync("v1", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("health", ("Path", "/health"), ("Backend", backend.Url.ToString()));
        await tables.AddRouteAsync("orders", ("Path", "orders"), ("Backend", backend.Url.ToString()));
        var missing = new TableServiceClient(azurite.ConnectionString).GetTableClient("LastValidMissing" + Guid.NewGuid().ToString("N")[..12]);

        await using var gateway = await GatewayUnderTest.StartAsync(
            azurite.ConnectionString, tables, new Dictionary<string, string?> { ["Gateway:Tables:LastValidRows"] = missing.Name });
        var status = await gateway.WaitForStatusAsync(s => s.GetProperty("lastValidRows").GetProperty("failure").GetInt32() >= 3);

        Assert.Equal("ok", status.GetProperty("status").GetString());
        Assert.Equal("unavailable", status.GetProperty("lastValidRows").GetProperty("status").GetString());
        Assert.StartsWith("storage answered 404 TableNotFound", status.GetProperty("lastValidRows").GetProperty("error").GetString(), StringComparison.Ordinal);
        using (var valid = await gateway.Client.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        }

        using (var invalid = await gateway.Client.GetAsync("/orders"))
        {
            Assert.Equal(HttpStatusCode.NotFound, invalid.StatusCode);
        }

        Assert.Single(gateway.Logs.Entries, e => e.EventId.Id == 600);

        await missing.CreateAsync();
        var recovered = await gateway.WaitForStatusAsync(s => s.GetProperty("lastValidRows").GetProperty("write").GetInt32() == 1);
        Assert.Equal("ok", recovered.GetProperty("lastValidRows").GetProperty("status").GetString());
        Assert.Contains(gateway.Logs.Entries, e => e.EventId.Id == 601);
        Assert.True((await missing.GetEntityIfExistsAsync<TableEntity>(tables.Routes.Name, "public|health")).HasValue);
    }

    [Fact]
    public async Task UnchangedRows_AreCopiedOnceAndNeverRebuiltOrWrittenAgain()
    {
        await using var backend = await EchoBackend.StartAsync("v1", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()));
        await tables.AddBackendAsync("orders", "eu-1", ("Url", backend.Url.ToString()));
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        var copied = await gateway.WaitForStatusAsync(s => s.GetProperty("lastValidRows").GetProperty("write").GetInt32() == 2 && LastAttemptAt(s) is not null);

        var later = LastAttemptAt(copied)!.Value.AddSeconds(3);
        var status = await gateway.WaitForStatusAsync(s => LastAttemptAt(s) >= later);

        Assert.Equal(2, status.GetProperty("lastValidRows").GetProperty("write").GetInt32());
        Assert.Single(gateway.Logs.Entries, e => e.EventId.Id == 100);
    }

    [Fact]
    public async Task DeletedRow_ItsCopyIsRemoved()
    {
        await using var backend = await EchoBackend.StartAsync("v1", "http://127.0.0.1:0");
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", backend.Url.ToString()));
        await using var gateway = await GatewayUnderTest.StartAsync(azurite.ConnectionString, tables);
        await WaitForCopyAsync(tables, _ => true);

        await tables.DeleteRouteAsync("orders");

        var deadline = Stopwatch.StartNew();
        while ((await tables.LastValidRows.GetEntityIfExistsAsync<TableEntity>(tables.Routes.Name, CopyKey)).HasValue)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), "The copy of the deleted row was not removed within 15 s.");
            await Task.Delay(100);
        }

        using var response = await gateway.Client.GetAsync("/orders");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static DateTimeOffset? LastAttemptAt(JsonElement status) =>
        status.GetProperty("lastAttemptAt").ValueKind == JsonValueKind.Null ? null : status.GetProperty("lastAttemptAt").GetDateTimeOffset();

    private static JsonElement[] Problems(JsonElement status) => [.. status.GetProperty("problems").EnumerateArray()];

    // The servingLastValidVersion of the error reported for the column, or null when none is.
    private static bool? ServingLastValidVersion(JsonElement status, string column) =>
        Problems(status).Where(p => p.GetProperty("column").GetString() == column && p.GetProperty("severity").GetString() == "error")
            .Select(p => (bool?)p.GetProperty("servingLastValidVersion").GetBoolean()).FirstOrDefault();

    private static async Task ServedByAsync(GatewayUnderTest gateway, string service)
    {
        using var response = await gateway.WaitForAsync(
            () => new HttpRequestMessage(HttpMethod.Get, "/orders"),
            r => r.StatusCode == HttpStatusCode.OK && r.Content.ReadAsStringAsync().Result.Contains($"\"service\": \"{service}\"", StringComparison.Ordinal));
    }

    private static async Task<TableEntity> WaitForCopyAsync(TestTables tables, Func<TableEntity, bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var copy = await tables.LastValidRows.GetEntityIfExistsAsync<TableEntity>(tables.Routes.Name, CopyKey);
            if (copy.HasValue && condition(copy.Value!))
            {
                return copy.Value!;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), "The gateway did not store the expected copy within 15 s.");
            await Task.Delay(100);
        }
    }
}
