using Azure.Data.Tables;
using FunctionsGateway.DevHost.Commands;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace FunctionsGateway.IntegrationTests.DevHost;

/// <summary>
/// Where <c>apikey</c> writes: <c>--connection-string</c> or <c>--table-endpoint</c> (Azure, DefaultAzureCredential),
/// overriding the local connection string of appsettings.json, so a key meant for Azure never lands in Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ApiKeyCommandStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public void SplitStorageSwitches_TableEndpoint_ReplacesTheLocalConnectionString()
    {
        var ok = CommandStorage.TrySplitSwitches(
            ["apikey", "create", "--consumer", "me", "--table-endpoint", "https://acct.table.core.windows.net", "--Gateway:Tables:ApiKeys=Keys"],
            out var command, out var storage, out _);

        Assert.True(ok);
        Assert.Equal(["apikey", "create", "--consumer", "me"], command);
        Assert.Equal("https://acct.table.core.windows.net", storage["Gateway:Storage:TableEndpoint"]);
        Assert.Equal(string.Empty, storage["Gateway:Storage:ConnectionString"]);
    }

    [Theory]
    [InlineData(new[] { "create", "--table-endpoint" }, "--table-endpoint needs a value")]
    [InlineData(new[] { "create", "--table-endpoint", "https://a", "--connection-string", "x" }, "use --table-endpoint or --connection-string, not both")]
    public void SplitStorageSwitches_BadSwitches_SayWhatToWrite(string[] args, string expected)
    {
        var ok = CommandStorage.TrySplitSwitches(args, out _, out _, out var problem);

        Assert.False(ok);
        Assert.Equal(expected, problem);
    }

    [Fact]
    public async Task Create_WithConnectionString_WritesTheKeyThereAndNotToTheConfiguredStorage()
    {
        var name = "CliKeys" + Guid.NewGuid().ToString("N")[..10];
        var service = new TableServiceClient(azurite.ConnectionString);
        await service.CreateTableAsync(name);
        var local = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Storage:ConnectionString"] = "DefaultEndpointsProtocol=http;AccountName=nowhere;AccountKey=bm93aGVyZQ==;TableEndpoint=http://127.0.0.1:1/nowhere",
            ["Gateway:Tables:ApiKeys"] = name,
        }).Build();
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exit;
        try
        {
            exit = await ApiKeyCommand.RunAsync(["apikey", "create", "--consumer", "contoso", "--connection-string", azurite.ConnectionString], local, default);
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Equal(ApiKeyCommand.Success, exit);
        Assert.StartsWith("fgw_", output.ToString().Trim(), StringComparison.Ordinal);
        Assert.Single(service.GetTableClient(name).Query<TableEntity>());
    }
}
