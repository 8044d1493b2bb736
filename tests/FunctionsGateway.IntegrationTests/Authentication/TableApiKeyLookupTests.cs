using Azure;
using Azure.Data.Tables;
using FunctionsGateway.Authentication;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.Authentication;

/// <summary>The API-key table as the gateway reads it, on real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableApiKeyLookupTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task FindAsync_StoredKey_ReturnsItsRow()
    {
        var table = await NewTableAsync();
        Assert.True(ApiKeyFactory.TryCreate("contoso", "gold", "orders.read,orders.write", null, "billing", TimeProvider.System.GetUtcNow(), out var created, out var error), error);
        await table.AddEntityAsync(created!.Entity);

        var record = await new TableApiKeyLookup(table).FindAsync(created.Hash, CancellationToken.None);

        Assert.NotNull(record);
        Assert.Equal("contoso", record.Consumer);
        Assert.Equal("gold", record.Plan);
        Assert.Equal(["orders.read", "orders.write"], record.Scopes.ToArray());
        Assert.Equal(created.Hash, record.Hash);
    }

    [Fact]
    public async Task FindAsync_ColumnWrittenInAnotherCase_IsSeen_SoTheKeyIsRejected()
    {
        var table = await NewTableAsync();
        Assert.True(ApiKeyFactory.TryCreate("contoso", null, null, null, null, TimeProvider.System.GetUtcNow(), out var created, out var error), error);
        var entity = created!.Entity;
        entity["enabled"] = false;
        await table.AddEntityAsync(entity);

        var record = await new TableApiKeyLookup(table).FindAsync(created.Hash, CancellationToken.None);

        Assert.NotNull(record);
        Assert.False(record.IsValid);
        Assert.Equal("enabled", record.InvalidColumn);
    }

    [Fact]
    public async Task FindAsync_UnknownKey_ReturnsNull()
    {
        var table = await NewTableAsync();

        var record = await new TableApiKeyLookup(table).FindAsync(ApiKeyHasher.Hash(ApiKeyFactory.Generate()), CancellationToken.None);

        Assert.Null(record);
    }

    [Fact]
    public async Task FindAsync_MissingTable_Throws_SoTheGatewayAnswers503RatherThanRejectingEveryKey()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("NoSuchTable" + Guid.NewGuid().ToString("N")[..8]);

        var failure = await Assert.ThrowsAsync<RequestFailedException>(async () =>
            await new TableApiKeyLookup(table).FindAsync(ApiKeyHasher.Hash(ApiKeyFactory.Generate()), CancellationToken.None));

        Assert.Equal("TableNotFound", failure.ErrorCode);
    }

    private async Task<TableClient> NewTableAsync()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("ApiKeys" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
