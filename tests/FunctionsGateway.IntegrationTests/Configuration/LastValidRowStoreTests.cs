using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.IntegrationTests.Infrastructure;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.IntegrationTests.Configuration;

/// <summary>
/// The copies' writes against a real table on Azurite, as two instances make them: conditional on the copy's ETag, so
/// the first write of a version lands and an instance that read before it gives way instead of writing over it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LastValidRowStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ApplyAsync_TwoInstancesCopyingOneEditFromTheSameRead_OneWriteLandsTheOtherIsAConflict()
    {
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        var (a, b) = (Store(tables), Store(tables));
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", "https://orders-v1.internal"));
        await RefreshAsync(a, tables);
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", "https://orders-v2.internal"));
        var routes = await RowsAsync(tables.Routes);
        var readByA = (await a.ReadAsync(CancellationToken.None))!;
        var readByB = (await b.ReadAsync(CancellationToken.None))!;
        Build(tables, routes, readByA);
        Build(tables, routes, readByB);

        var aWrote = await a.ApplyAsync(readByA, CancellationToken.None);
        var bWrote = await b.ApplyAsync(readByB, CancellationToken.None);

        Assert.True(aWrote);
        Assert.False(bWrote);
        Assert.Equal((1, 0), (b.Conflicts, b.Failures));
        var copy = Assert.Single(await RowsAsync(tables.LastValidRows));
        Assert.Equal("https://orders-v2.internal", copy.GetString("Backend"));
        Assert.Equal(routes[0].ETag.ToString(), copy.GetString(LastValidCopies.SourceETagColumn));
        Assert.Equal(routes[0].Timestamp, copy.GetDateTimeOffset(LastValidCopies.SourceTimestampColumn));
    }

    [Fact]
    public async Task ApplyAsync_InstanceThatReadTheRowBeforeAnEdit_LeavesTheCopyOfTheEditedVersion()
    {
        var tables = await TestTables.CreateAsync(azurite.ConnectionString);
        var (late, current) = (Store(tables), Store(tables));
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", "https://orders-v1.internal"));
        var readBeforeTheEdit = await RowsAsync(tables.Routes);
        await tables.AddRouteAsync("orders", ("Path", "/orders"), ("Backend", "https://orders-v2.internal"));
        await RefreshAsync(current, tables);

        var copies = (await late.ReadAsync(CancellationToken.None))!;
        Build(tables, readBeforeTheEdit, copies);
        await late.ApplyAsync(copies, CancellationToken.None);

        Assert.Empty(copies.Changes);
        Assert.Equal("https://orders-v2.internal", Assert.Single(await RowsAsync(tables.LastValidRows)).GetString("Backend"));
    }

    private static void Build(TestTables tables, IReadOnlyList<TableEntity> routes, LastValidCopies copies) =>
        GatewaySnapshotBuilder.Build(tables.Routes.Name, routes, tables.Backends.Name, [], GatewaySnapshot.Empty, DateTimeOffset.UnixEpoch, lastValidCopies: copies);

    private LastValidRowStore Store(TestTables tables)
    {
        var options = new GatewayOptions
        {
            Storage = { ConnectionString = azurite.ConnectionString },
            Tables = { Routes = tables.Routes.Name, Backends = tables.Backends.Name, LastValidRows = tables.LastValidRows.Name },
        };
        return new LastValidRowStore(new GatewayTables(Options.Create(options)), NullLogger<LastValidRowStore>.Instance);
    }

    private static async Task RefreshAsync(LastValidRowStore store, TestTables tables)
    {
        var copies = (await store.ReadAsync(CancellationToken.None))!;
        Build(tables, await RowsAsync(tables.Routes), copies);
        Assert.True(await store.ApplyAsync(copies, CancellationToken.None));
    }

    private static async Task<List<TableEntity>> RowsAsync(TableClient table)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }
}
