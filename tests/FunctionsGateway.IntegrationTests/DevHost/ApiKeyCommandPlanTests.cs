using Azure.Data.Tables;
using FunctionsGateway.Authentication;
using FunctionsGateway.DevHost.Commands;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.DevHost;

/// <summary><c>apikey create --plan</c> against a real ApiKeys table: the plan the gateway reads, or the reason it would refuse it.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ApiKeyCommandPlanTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Create_WithPlan_StoresThePlanTheGatewayReads()
    {
        var table = await NewTableAsync();
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var exit = await ApiKeyCommand.RunAsync(["apikey", "create", "--consumer", "contoso", "--plan", "gold"], table, output, errors, TimeProvider.System, default);

        Assert.Equal(ApiKeyCommand.Success, exit);
        var row = Assert.Single(table.Query<TableEntity>());
        Assert.Equal("gold", ApiKeyRecord.FromEntity(row).Plan);
    }

    [Fact]
    public async Task Create_WithABadPlan_ExitsWithTheRuleAndStoresNothing()
    {
        var table = await NewTableAsync();
        using var output = new StringWriter();
        using var errors = new StringWriter();

        var exit = await ApiKeyCommand.RunAsync(["apikey", "create", "--consumer", "contoso", "--plan", "gold;free"], table, output, errors, TimeProvider.System, default);

        Assert.Equal(ApiKeyCommand.UsageError, exit);
        Assert.StartsWith("'gold;free' is not a plan name; use 1 to 64 letters, digits, '-', '_' or '.', such as gold", errors.ToString(), StringComparison.Ordinal);
        Assert.Empty(table.Query<TableEntity>());
    }

    private async Task<TableClient> NewTableAsync()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("ApiKeys" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
