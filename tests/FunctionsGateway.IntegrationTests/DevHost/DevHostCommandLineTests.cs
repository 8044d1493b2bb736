using System.Text.Json;
using FunctionsGateway.DevHost;
using FunctionsGateway.DevHost.Local;
using FunctionsGateway.IntegrationTests.Infrastructure;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.IntegrationTests.DevHost;

/// <summary>Bad command lines, settings and seed files end the DevHost with a message that says what to fix.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DevHostCommandLineTests(AzuriteFixture azurite)
{
    [Fact]
    public void Parse_SeedFileThatDoesNotExist_SaysWhichFile()
    {
        var error = Assert.Throws<ArgumentException>(() => DevHostArguments.Parse(["--seed", "/no/such/rows.json"]));

        Assert.Contains("'/no/such/rows.json' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeedWithoutAFile_ShowsTheUsage()
    {
        var error = Assert.Throws<ArgumentException>(() => DevHostArguments.Parse(["--seed"]));

        Assert.Contains("--seed routes.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeepsTheHostsOwnArguments()
    {
        var parsed = DevHostArguments.Parse(["--samples", "--urls", "http://127.0.0.1:9999"]);

        Assert.True(parsed.Samples);
        Assert.Equal(["--urls", "http://127.0.0.1:9999"], parsed.HostArguments);
    }

    [Fact]
    public void CreateBuilder_NoAddressConfigured_ListsOnLocalhost7071()
    {
        var builder = GatewayDevHost.CreateBuilder(["--Gateway:Storage:ConnectionString=UseDevelopmentStorage=true"]);

        Assert.Equal("http://localhost:7071", builder.Configuration["urls"]);
    }

    [Fact]
    public void CreateBuilder_UrlsGiven_KeepsThem()
    {
        var builder = GatewayDevHost.CreateBuilder(["--urls", "http://127.0.0.1:9999"]);

        Assert.Equal("http://127.0.0.1:9999", builder.Configuration["urls"]);
    }

    [Theory]
    [InlineData("--sampels", "did you mean --samples?")]
    [InlineData("--seeds", "did you mean --seed?")]
    [InlineData("--halp", "did you mean --help?")]
    [InlineData("--port", "")]
    [InlineData("samples", "did you mean --samples?")]
    public void Parse_UnknownSwitch_IsAnErrorWithAHintWhenOneIsClose(string arg, string hint)
    {
        var error = Assert.Throws<ArgumentException>(() => DevHostArguments.Parse([arg]));

        Assert.StartsWith($"'{arg}' is not a DevHost switch", error.Message, StringComparison.Ordinal);
        if (hint.Length > 0)
        {
            Assert.Contains(hint, error.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("did you mean", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--Gateway:Storage:ConnectionString=x")]
    [InlineData("--Gateway__Forwarding__MaxRequestBodyBytes=5")]
    [InlineData("--environment=Development")]
    [InlineData("/urls=http://127.0.0.1:1")]
    public void Parse_HostSettings_PassThrough(string arg)
    {
        var parsed = DevHostArguments.Parse([arg]);

        Assert.Equal([arg], parsed.HostArguments);
    }

    [Fact]
    public async Task RunAsync_InvalidSettings_ListsEveryProblemAndExitsWith2()
    {
        var errors = new StringWriter();
        var original = Console.Error;
        Console.SetError(errors);
        try
        {
            var exitCode = await GatewayDevHost.RunAsync(
                ["--Gateway:Storage:ConnectionString=", "--Gateway:Configuration:RefreshIntervalSeconds=0", "--urls", "http://127.0.0.1:0"]);

            Assert.Equal(2, exitCode);
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.Contains("Set exactly one of Gateway__Storage__ConnectionString", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("Gateway__Configuration__RefreshIntervalSeconds is 0", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeedIfEmpty_RowWithoutRowKey_NamesTheFileAndTheRow()
    {
        var file = await WriteAsync("""{ "Routes": [ { "PartitionKey": "public", "Path": "/x" } ] }""");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TableSeeder.SeedIfEmptyAsync(Tables(), file));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains("needs a PartitionKey and a RowKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeedIfEmpty_ColumnHoldingAnObject_SaysWhatTypesWork()
    {
        var file = await WriteAsync("""{ "Routes": [ { "PartitionKey": "public", "RowKey": "x", "Path": { "nested": true } } ] }""");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TableSeeder.SeedIfEmptyAsync(Tables(), file));

        Assert.Contains("column 'Path' holds Object; use a string, a number or true/false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeedIfEmpty_BrokenJson_IsAJsonError()
    {
        var file = await WriteAsync("""{ "Routes": [ """);

        await Assert.ThrowsAnyAsync<JsonException>(async () => await TableSeeder.SeedIfEmptyAsync(Tables(), file));
    }

    [Fact]
    public async Task SeedIfEmpty_EmptyTables_WritesEveryRow_AndNeverOverwritesExistingRoutes()
    {
        var tables = Tables();
        var file = await WriteAsync("""
            { "Routes": [ { "PartitionKey": "public", "RowKey": "a", "Path": "/a", "TimeoutSeconds": 5, "Enabled": true } ],
              "Backends": [ { "PartitionKey": "p", "RowKey": "b", "Url": "http://127.0.0.1:1" } ] }
            """);

        var first = await TableSeeder.SeedIfEmptyAsync(tables, file);
        var second = await TableSeeder.SeedIfEmptyAsync(tables, file);

        Assert.Equal(2, first);
        Assert.Equal(0, second);
        var row = (await tables.Routes.GetEntityAsync<Azure.Data.Tables.TableEntity>("public", "a")).Value;
        Assert.Equal(5, row.GetInt32("TimeoutSeconds"));
        Assert.True(row.GetBoolean("Enabled"));
    }

    private GatewayTables Tables()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var options = new GatewayOptions
        {
            Storage = { ConnectionString = azurite.ConnectionString },
            Tables = { Routes = "SeedRoutes" + suffix, Backends = "SeedBackends" + suffix, BackendHealth = "SeedHealth" + suffix, ApiKeys = "SeedKeys" + suffix, RateLimits = "SeedLimits" + suffix },
        };
        return new GatewayTables(Options.Create(options));
    }

    private static async Task<string> WriteAsync(string json)
    {
        var file = Path.Combine(Path.GetTempPath(), $"fgw-seed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json);
        return file;
    }
}
