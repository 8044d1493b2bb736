using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.DevHost.Commands;
using FunctionsGateway.IntegrationTests.Infrastructure;
using FunctionsGateway.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsGateway.IntegrationTests.DevHost;

/// <summary>
/// <c>routes export | validate | diff | apply</c> on Azurite: a file exported and applied again changes nothing, apply
/// writes only with --yes and then creates, updates and deletes exactly the diff, a row edited by someone else after
/// the diff is never overwritten, and validate reports what a running gateway reports for the same rows.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RoutesCommandTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ExportThenApply_EveryColumnTypeAndRateLimitPlans_IsANoOpDiffAndWritesNothing()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        await SeedAsync(cli.Tables);
        await cli.Tables.AddRouteAsync("typed", ("Path", "/typed"), ("Backend", "http://127.0.0.1:7081"), ("Note", 9_000_000_000L), ("Ratio", 0.5), ("Since", new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero)));
        var etagsBefore = await ETagsAsync(cli.Tables);
        var file = cli.PathOf("routes.json");

        var export = await cli.RunAsync(["export", "--file", file]);
        var diff = await cli.RunAsync(["diff", file]);
        var apply = await cli.RunAsync(["apply", file, "--yes"]);

        Assert.Equal((CommandExit.Success, string.Empty), (export.Exit, export.Output));
        Assert.StartsWith("Exported 3 route row(s) and 2 backend row(s)", export.Errors, StringComparison.Ordinal);
        Assert.Contains("Rate-limit plans are the RateLimitPlans column of route rows", export.Errors, StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(file);
        Assert.Contains("\"RateLimitPlans\": \"gold: 1000/1m; free: 10/1m\"", text, StringComparison.Ordinal);
        Assert.Contains("\"type\": \"Int64\"", text, StringComparison.Ordinal);
        Assert.Equal((CommandExit.Success, string.Empty), (diff.Exit, diff.Output));
        Assert.Equal("No changes: the tables hold exactly the file's 5 row(s).", diff.Errors.Trim());
        Assert.Equal((CommandExit.Success, string.Empty), (apply.Exit, apply.Output));
        Assert.Equal(etagsBefore, await ETagsAsync(cli.Tables));
    }

    [Fact]
    public async Task Export_WithoutFile_WritesTheFileToStandardOutput()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        await SeedAsync(cli.Tables);

        var export = await cli.RunAsync(["export"]);

        Assert.Equal(CommandExit.Success, export.Exit);
        Assert.True(RouteSetFile.TryRead(export.Output, "stdout", out var rows, out _));
        Assert.Equal(4, rows.Count);
    }

    [Fact]
    public async Task Diff_ChangedFile_ListsRowsAndColumnsToCreateUpdateAndDelete()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        await SeedAsync(cli.Tables);
        var file = cli.WriteFile("routes.json", ChangedSet);

        var diff = await cli.RunAsync(["diff", file]);

        Assert.Equal(CommandExit.Success, diff.Exit);
        Assert.Equal(
            $"""
            create {cli.Tables.Backends.Name} 'orders/us'
                + Url: "http://127.0.0.1:7083"
            update {cli.Tables.Routes.Name} 'public/orders'
                - RateLimitPlans: "gold: 1000/1m; free: 10/1m"
                ~ TimeoutSeconds: 10 -> 30
            create {cli.Tables.Routes.Name} 'public/status'
                + Path: "/status"
                + ResponseStatus: 200
            delete {cli.Tables.Routes.Name} 'public/hello'
                - Backend: "http://127.0.0.1:7081"
                - Path: "/hello"

            """.ReplaceLineEndings(),
            diff.Output);
        Assert.Equal("2 to create, 1 to update, 1 to delete, 2 unchanged.", diff.Errors.Trim());
    }

    [Fact]
    public async Task Diff_FileWithErrors_ShowsTheDiffAndSaysApplyWillRefuseIt()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        var file = cli.WriteFile("routes.json", """
            { "version": 1, "rows": [ { "table": "Routes", "PartitionKey": "public", "RowKey": "orders", "Path": "/orders", "Pool": "nowhere" } ] }
            """);

        var diff = await cli.RunAsync(["diff", file]);

        Assert.Equal(CommandExit.Success, diff.Exit);
        Assert.StartsWith($"create {cli.Tables.Routes.Name} 'public/orders'", diff.Output, StringComparison.Ordinal);
        Assert.EndsWith($"'{file}' has 1 error(s); apply will refuse it until they are fixed ('routes validate {file}' lists them).", diff.Errors.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_WithoutYes_IsADryRunThatSaysSoAndWritesNothing()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        await SeedAsync(cli.Tables);
        var etagsBefore = await ETagsAsync(cli.Tables);
        var file = cli.WriteFile("routes.json", ChangedSet);

        var apply = await cli.RunAsync(["apply", file]);

        Assert.Equal(CommandExit.Success, apply.Exit);
        Assert.Contains("update ", apply.Output, StringComparison.Ordinal);
        Assert.EndsWith("Dry run: nothing was written. Run again with --yes to apply these 4 changes.", apply.Errors.Trim(), StringComparison.Ordinal);
        Assert.Equal(etagsBefore, await ETagsAsync(cli.Tables));
    }

    [Fact]
    public async Task Apply_WithYes_CreatesUpdatesAndDeletesUntilTheTablesMatchTheFile()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        await SeedAsync(cli.Tables);
        var file = cli.WriteFile("routes.json", ChangedSet);

        var apply = await cli.RunAsync(["apply", file, "--yes"]);
        var after = await cli.RunAsync(["diff", file]);

        Assert.Equal(CommandExit.Success, apply.Exit);
        Assert.Equal(
            [$"created {cli.Tables.Backends.Name} 'orders/us'", $"updated {cli.Tables.Routes.Name} 'public/orders'",
             $"created {cli.Tables.Routes.Name} 'public/status'", $"deleted {cli.Tables.Routes.Name} 'public/hello'"],
            apply.Output.Split(Environment.NewLine).Where(l => l.StartsWith("created ", StringComparison.Ordinal)
                || l.StartsWith("updated ", StringComparison.Ordinal) || l.StartsWith("deleted ", StringComparison.Ordinal)));
        Assert.EndsWith("Applied all 4 changes.", apply.Errors.Trim(), StringComparison.Ordinal);
        Assert.StartsWith("No changes", after.Errors, StringComparison.Ordinal);
        var orders = (await cli.Tables.Routes.GetEntityAsync<TableEntity>("public", "orders")).Value;
        Assert.Equal(30, orders["TimeoutSeconds"]);
        Assert.False(orders.ContainsKey("RateLimitPlans"));
        Assert.False((await cli.Tables.Routes.GetEntityIfExistsAsync<TableEntity>("public", "hello")).HasValue);
    }

    [Fact]
    public async Task Apply_RowEditedAfterTheDiff_IsNotOverwrittenAndNothingAfterItIsTouched()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        var (store, changes) = await DiffChangedSetAsync(cli);
        await cli.Tables.AddRouteAsync("orders", ("Path", "/orders"), ("Pool", "orders"), ("TimeoutSeconds", 45));
        var output = new StringWriter();
        var errors = new StringWriter();

        var exit = await RoutesCommand.ApplyAsync(changes, store, output, errors, CancellationToken.None);

        Assert.Equal(CommandExit.Failure, exit);
        Assert.Equal($"created {cli.Tables.Backends.Name} 'orders/us'", output.ToString().Trim());
        Assert.Equal(
            $"Stopped at {cli.Tables.Routes.Name} 'public/orders' (update): someone else changed it after the diff was read (its ETag no longer matches); "
            + "it was not overwritten. Applied 1 of 4 changes (listed above); the other 3 were not attempted. Run 'routes diff' to see the tables as they are now.",
            errors.ToString().Trim());
        Assert.Equal(45, (await cli.Tables.Routes.GetEntityAsync<TableEntity>("public", "orders")).Value["TimeoutSeconds"]);
        Assert.False((await cli.Tables.Routes.GetEntityIfExistsAsync<TableEntity>("public", "status")).HasValue);
        Assert.True((await cli.Tables.Routes.GetEntityIfExistsAsync<TableEntity>("public", "hello")).HasValue);
    }

    [Fact]
    public async Task Apply_RowCreatedBySomeoneElseAfterTheDiff_IsNotOverwritten()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        var (store, changes) = await DiffChangedSetAsync(cli);
        await cli.Tables.AddBackendAsync("orders", "us", ("Url", "http://127.0.0.1:7099"));
        var errors = new StringWriter();

        var exit = await RoutesCommand.ApplyAsync(changes, store, new StringWriter(), errors, CancellationToken.None);

        Assert.Equal(CommandExit.Failure, exit);
        Assert.StartsWith(
            $"Stopped at {cli.Tables.Backends.Name} 'orders/us' (create): someone else created it after the diff was read; it was not overwritten. Applied 0 of 4 changes",
            errors.ToString(), StringComparison.Ordinal);
        Assert.Equal("http://127.0.0.1:7099", (await cli.Tables.Backends.GetEntityAsync<TableEntity>("orders", "us")).Value["Url"]);
    }

    [Fact]
    public async Task Apply_RowDeletedBySomeoneElseAfterTheDiff_StopsThere()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        var (store, changes) = await DiffChangedSetAsync(cli);
        await cli.Tables.DeleteRouteAsync("hello");
        var errors = new StringWriter();

        var exit = await RoutesCommand.ApplyAsync(changes, store, new StringWriter(), errors, CancellationToken.None);

        Assert.Equal(CommandExit.Failure, exit);
        Assert.StartsWith(
            $"Stopped at {cli.Tables.Routes.Name} 'public/hello' (delete): it was deleted by someone else after the diff was read. Applied 3 of 4 changes",
            errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_FileWithErrors_IsRefusedWithTheGatewaysMessagesAndWritesNothing()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        await SeedAsync(cli.Tables);
        var etagsBefore = await ETagsAsync(cli.Tables);
        var file = cli.WriteFile("routes.json", """
            { "version": 1, "rows": [
              { "table": "Routes", "PartitionKey": "public", "RowKey": "orders", "Path": "/orders", "Pool": "nowhere" }
            ] }
            """);

        var apply = await cli.RunAsync(["apply", file, "--yes"]);

        Assert.Equal(CommandExit.Failure, apply.Exit);
        Assert.Equal(
            $"error: {cli.Tables.Routes.Name} 'public/orders' column 'Pool': names the pool 'nowhere', which has no valid row in the Backends table; "
            + "add a Backends row with PartitionKey 'nowhere' or correct the name (pool names are case-sensitive)",
            apply.Output.Trim());
        Assert.Equal($"'{file}' has 1 error(s); nothing was applied. Fix them ('routes validate {file}' lists them) and run apply again.", apply.Errors.Trim());
        Assert.Equal(etagsBefore, await ETagsAsync(cli.Tables));
    }

    [Fact]
    public async Task Validate_RowsARunningGatewayReports_ReportsTheSameMessagesWordForWord()
    {
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async tables =>
        {
            await tables.AddRouteAsync("slow", ("Path", "/slow"), ("Backend", "http://127.0.0.1:7081"), ("TimeoutSeconds", "soon"));
            await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Pool", "nowhere"));
            await tables.AddRouteAsync("jwt", ("Path", "/jwt"), ("Backend", "http://127.0.0.1:7081"), ("Auth", "jwt"));
            await tables.AddRouteAsync("first", ("Path", "/hello"), ("Backend", "http://127.0.0.1:7081"));
            await tables.AddRouteAsync("second", ("Path", "/hello"), ("Backend", "http://127.0.0.1:7082"));
            await tables.AddRouteAsync("misspelt", ("Path", "/misspelt"), ("Backend", "http://127.0.0.1:7081"), ("auth", "jwt"));
            await tables.AddBackendAsync("pool", "x", ("Url", "ftp://nowhere"));
        });
        var status = await gateway.StatusAsync();
        var reported = status.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()}: {p.GetProperty("table").GetString()} '{p.GetProperty("partitionKey").GetString()}/{p.GetProperty("rowKey").GetString()}'"
                + (p.TryGetProperty("column", out var column) && column.ValueKind == System.Text.Json.JsonValueKind.String ? $" column '{column.GetString()}'" : string.Empty)
                + $": {p.GetProperty("message").GetString()}")
            .ToList();
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        var tablesOfTheGateway = new Dictionary<string, string?>
        {
            ["Gateway:Tables:Routes"] = gateway.Services.GetRequiredService<GatewayTables>().Names.Routes,
            ["Gateway:Tables:Backends"] = gateway.Services.GetRequiredService<GatewayTables>().Names.Backends,
        };
        var file = cli.PathOf("routes.json");
        await cli.RunAsync(["export", "--file", file], tablesOfTheGateway);

        var validate = await cli.RunAsync(["validate", file], tablesOfTheGateway);

        Assert.Equal(CommandExit.Failure, validate.Exit);
        Assert.True(reported.Count >= 5, string.Join('\n', reported));
        Assert.Equal(reported.Order(StringComparer.Ordinal), validate.Output.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal($"'{file}' has {reported.Count(r => r.StartsWith("error", StringComparison.Ordinal))} error(s): the gateway would not serve the rows named above.", validate.Errors.Trim());
    }

    [Fact]
    public async Task Validate_ValidFileWithWarnings_Exits0AndPrintsTheWarnings()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        var file = cli.WriteFile("routes.json", """
            { "version": 1, "rows": [
              { "table": "Routes", "PartitionKey": "public", "RowKey": "hello", "Path": "/hello", "Backend": "http://127.0.0.1:7081", "Note": "mine" }
            ] }
            """);

        var validate = await cli.RunAsync(["validate", file]);

        Assert.Equal(CommandExit.Success, validate.Exit);
        Assert.Equal($"warning: {cli.Tables.Routes.Name} 'public/hello' column 'Note': is not a known column and is ignored; check its spelling against docs/routes.md", validate.Output.Trim());
        Assert.Equal($"'{file}' is valid: 1 route row(s), 0 backend row(s).", validate.Errors.Trim());
    }

    private const string ChangedSet = """
        { "version": 1, "rows": [
          { "table": "Routes", "PartitionKey": "public", "RowKey": "orders", "Path": "/orders", "Pool": "orders", "RateLimit": "100/1m", "TimeoutSeconds": 30 },
          { "table": "Routes", "PartitionKey": "public", "RowKey": "status", "Path": "/status", "ResponseStatus": 200 },
          { "table": "Backends", "PartitionKey": "orders", "RowKey": "eu", "Url": "http://127.0.0.1:7082" },
          { "table": "Backends", "PartitionKey": "orders", "RowKey": "spare", "Url": "http://127.0.0.1:7084", "Enabled": false },
          { "table": "Backends", "PartitionKey": "orders", "RowKey": "us", "Url": "http://127.0.0.1:7083" }
        ] }
        """;

    /// <summary>Seeds the tables and reads the diff of <see cref="ChangedSet"/> as apply does, before it writes anything.</summary>
    private static async Task<(RouteSetStore Store, IReadOnlyList<RouteSetChange> Changes)> DiffChangedSetAsync(RoutesCli cli)
    {
        await SeedAsync(cli.Tables);
        Assert.True(RouteSetFile.TryRead(ChangedSet, "routes.json", out var rows, out _));
        var store = cli.Store();
        return (store, RouteSetDiff.Between(rows, await store.ReadAsync(CancellationToken.None)));
    }

    private static async Task SeedAsync(TestTables tables)
    {
        await tables.AddRouteAsync("hello", ("Path", "/hello"), ("Backend", "http://127.0.0.1:7081"));
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Pool", "orders"), ("TimeoutSeconds", 10), ("RateLimit", "100/1m"), ("RateLimitPlans", "gold: 1000/1m; free: 10/1m"));
        await tables.AddBackendAsync("orders", "eu", ("Url", "http://127.0.0.1:7082"));
        await tables.AddBackendAsync("orders", "spare", ("Url", "http://127.0.0.1:7084"), ("Enabled", false));
    }

    private static async Task<List<string>> ETagsAsync(TestTables tables)
    {
        var etags = new List<string>();
        foreach (var table in new[] { tables.Routes, tables.Backends })
        {
            await foreach (var row in table.QueryAsync<TableEntity>())
            {
                etags.Add($"{table.Name}/{row.PartitionKey}/{row.RowKey} {row.ETag}");
            }
        }

        return etags;
    }
}
