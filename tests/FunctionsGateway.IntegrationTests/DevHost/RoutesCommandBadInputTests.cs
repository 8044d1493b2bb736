using FunctionsGateway.DevHost.Commands;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.DevHost;

/// <summary>
/// Every kind of bad input to <c>routes</c> (a wrong command line, a missing or broken file, storage that cannot be
/// reached or used) ends with a clear message and an exit code, never a stack trace, and writes nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RoutesCommandBadInputTests(AzuriteFixture azurite)
{
    private const string ValidFile = """{ "version": 1, "rows": [ { "table": "Routes", "PartitionKey": "public", "RowKey": "hello", "Path": "/hello", "Backend": "http://127.0.0.1:7081" } ] }""";

    [Theory]
    [InlineData(new string[0], "routes needs a command")]
    [InlineData(new[] { "sync", "routes.json" }, "'sync' is not a routes command; use export, validate, diff or apply")]
    [InlineData(new[] { "diff" }, "routes diff needs a FILE: the route-set file to compare with the tables")]
    [InlineData(new[] { "validate" }, "routes validate needs a FILE: the route-set file to check")]
    [InlineData(new[] { "validate", "a.json", "b.json" }, "'b.json' is not an argument of routes validate")]
    [InlineData(new[] { "apply", "a.json", "--force" }, "'--force' is not an argument of routes apply")]
    [InlineData(new[] { "diff", "a.json", "--yes" }, "'--yes' is not an argument of routes diff")]
    [InlineData(new[] { "export", "--file" }, "--file needs a value: the file to write")]
    [InlineData(new[] { "export", "routes.json" }, "'routes.json' is not an argument of routes export")]
    public async Task Run_WrongCommandLine_SaysWhatIsWrongAndShowsTheUsage_AndExits2(string[] args, string expected)
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);

        var run = await cli.RunAsync(args);

        Assert.Equal(CommandExit.UsageError, run.Exit);
        Assert.StartsWith(expected + Environment.NewLine + "Usage:", run.Errors, StringComparison.Ordinal);
        Assert.Contains("routes apply FILE [--yes]", run.Errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("diff")]
    [InlineData("apply")]
    public async Task Run_FileThatDoesNotExist_IsOneLineNamingIt_AndExits1(string verb)
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        var file = cli.PathOf("missing.json");

        var run = await cli.RunAsync([verb, file]);

        AssertOneLineFailure(run, $"'{file}' does not exist; give the path of a route-set file (write one with 'routes export --file {file}')");
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "{ \"version\": 1,\n  \"rows\": [ { \"table\": \"Routes\",, } ] }", "line 2, position 33: not valid JSON: " },
        { "{ \"version\": 1, \"rows\": [ { \"table\": \"Keys\", \"PartitionKey\": \"p\", \"RowKey\": \"r\" } ] }", "row 1: table 'Keys' is not one a route set holds; write \"Routes\" or \"Backends\" (API keys are managed with the apikey command)" },
        { "{ \"version\": 1, \"rows\": [ { \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\" }, { \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\" } ] }", "row 2: Routes 'p/r' is already row 1; a row may appear once, so keep one of them" },
        { "{ \"version\": 1, \"rows\": [ { \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\", \"Methods\": [\"GET\"] } ] }", "row 1 (Routes 'p/r'): column 'Methods': holds a JSON array; write a string, a whole number, true or false, or a typed value such as { \"type\": \"Int64\", \"value\": \"5\" } (to leave a column empty, leave it out)" },
        { "{ \"version\": 1, \"rows\": [ { \"table\": \"Routes\", \"PartitionKey\": 7, \"RowKey\": \"r\" } ] }", "row 1: needs a PartitionKey written as a non-empty string" },
        { "{ \"Routes\": [] }", "'Routes' is not part of a route-set file; the file holds only \"version\" and \"rows\"" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Run_BadFile_IsOneLineNamingTheFileAndPlace_AndWritesNothing(string text, string expected)
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        await cli.Tables.AddRouteAsync("kept", ("Path", "/kept"), ("Backend", "http://127.0.0.1:7081"));
        var file = cli.WriteFile("bad.json", text);

        foreach (var verb in new[] { "validate", "diff", "apply" })
        {
            var run = await cli.RunAsync(verb == "apply" ? [verb, file, "--yes"] : [verb, file]);

            Assert.Equal(CommandExit.Failure, run.Exit);
            Assert.Equal(string.Empty, run.Output);
            Assert.StartsWith($"{file}: {expected}", run.Errors.Split(Environment.NewLine)[0], StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", run.Errors, StringComparison.Ordinal);
        }

        Assert.True((await cli.Tables.Routes.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("public", "kept")).HasValue);
    }

    [Theory]
    [InlineData("export")]
    [InlineData("diff")]
    [InlineData("apply")]
    public async Task Run_StorageUnreachable_IsOneLine_AndExits1(string verb)
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        var file = cli.WriteFile("routes.json", ValidFile);
        var nowhere = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=bm93aGVyZQ==;TableEndpoint={ClosedPort.Url()}devstoreaccount1";

        string[] args = verb switch
        {
            "export" => [verb],
            "apply" => [verb, file, "--yes"],
            _ => [verb, file],
        };

        var run = await cli.RunAsync(args, new Dictionary<string, string?> { ["Gateway:Storage:ConnectionString"] = nowhere });

        Assert.Equal(CommandExit.Failure, run.Exit);
        Assert.Equal(string.Empty, run.Output);
        Assert.StartsWith("storage unreachable: ", run.Errors, StringComparison.Ordinal);
        Assert.Single(run.Errors.Trim().Split('\n'));
        Assert.DoesNotContain("bm93aGVyZQ", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TablesThatDoNotExist_SaysWhichAndHowToCreateThem_AndExits1()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);

        var run = await cli.RunAsync(["export"], new Dictionary<string, string?> { ["Gateway:Tables:Routes"] = "NoSuchRoutes", ["Gateway:Tables:Backends"] = "NoSuchBackends" });

        AssertOneLineFailure(run, "The table 'NoSuchRoutes' or 'NoSuchBackends' does not exist in that storage account; start the DevHost once (it creates local tables), run azd provision in Azure, or check --Gateway:Tables:* (storage answered 404 TableNotFound: ");
    }

    [Theory]
    [InlineData("", "No storage is configured; give --connection-string or --table-endpoint (or set Gateway:Storage:ConnectionString, UseDevelopmentStorage=true for Azurite)")]
    [InlineData("this is not a connection string;secretsecret", "The storage connection string cannot be used: ")]
    public async Task Run_StorageSettingsThatCannotBeUsed_SayWhatToSet_AndExit1(string connectionString, string expected)
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);

        var run = await cli.RunAsync(["export"], new Dictionary<string, string?> { ["Gateway:Storage:ConnectionString"] = connectionString });

        AssertOneLineFailure(run, expected);
        Assert.DoesNotContain("secretsecret", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ToADirectoryThatDoesNotExist_IsOneLine_AndExits1()
    {
        using var cli = await RoutesCli.CreateAsync(azurite.ConnectionString);
        var file = cli.PathOf(Path.Combine("no", "such", "dir", "routes.json"));

        var run = await cli.RunAsync(["export", "--file", file]);

        AssertOneLineFailure(run, $"Could not write '{file}': ");
    }

    private static void AssertOneLineFailure((int Exit, string Output, string Errors) run, string expectedStart)
    {
        Assert.Equal(CommandExit.Failure, run.Exit);
        Assert.Equal(string.Empty, run.Output);
        Assert.StartsWith(expectedStart, run.Errors, StringComparison.Ordinal);
        Assert.Single(run.Errors.Trim().Split('\n'));
    }
}
