using Azure;
using FunctionsGateway.Configuration;
using static FunctionsGateway.Core.Tests.Configuration.RouteSetFileTests;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// What apply changes: the file is the whole set, compared column by column (value and type), in an order that
/// keeps every step servable, with the ETag read for each row that is updated or deleted.
/// </summary>
public sealed class RouteSetDiffTests
{
    private static readonly ETag Read = new("W/\"datetime'2027-01-01T00%3A00%3A00Z'\"");

    [Fact]
    public void Between_SameRows_IsEmpty()
    {
        var rows = new[] { Row(RouteSetTable.Routes, "public", "a", ("Path", "/a"), ("TimeoutSeconds", 5)) };

        var changes = RouteSetDiff.Between(rows, [Stored(rows[0])]);

        Assert.Empty(changes);
    }

    [Fact]
    public void Between_ColumnChangedAddedAndRemoved_ListsEachColumnWithBeforeAndAfter()
    {
        var file = Row(RouteSetTable.Routes, "public", "a", ("Path", "/a"), ("TimeoutSeconds", 30), ("Scopes", "orders.read"));
        var table = Stored(Row(RouteSetTable.Routes, "public", "a", ("Path", "/a"), ("TimeoutSeconds", 10), ("Hosts", "a.example")));

        var change = Assert.Single(RouteSetDiff.Between([file], [table]));

        Assert.Equal(RouteSetChangeKind.Update, change.Kind);
        Assert.Equal(Read, change.ReadETag);
        Assert.Same(file, change.Row);
        Assert.Equal(
            [new RouteSetColumnChange("Hosts", "a.example", null), new RouteSetColumnChange("Scopes", null, "orders.read"), new RouteSetColumnChange("TimeoutSeconds", 10, 30)],
            change.Columns);
    }

    [Fact]
    public void Between_SameTextOfAnotherType_IsAnUpdate()
    {
        var file = Row(RouteSetTable.Routes, "public", "a", ("TimeoutSeconds", 5));
        var table = Stored(Row(RouteSetTable.Routes, "public", "a", ("TimeoutSeconds", "5")));

        var change = Assert.Single(RouteSetDiff.Between([file], [table]));

        Assert.Equal(new RouteSetColumnChange("TimeoutSeconds", "5", 5), Assert.Single(change.Columns));
    }

    [Fact]
    public void Between_RowOnlyInTheFile_IsCreatedWithoutAnETag()
    {
        var file = Row(RouteSetTable.Routes, "public", "a", ("Path", "/a"));

        var change = Assert.Single(RouteSetDiff.Between([file], []));

        Assert.Equal((RouteSetChangeKind.Create, default(ETag)), (change.Kind, change.ReadETag));
        Assert.Equal([new RouteSetColumnChange("Path", null, "/a")], change.Columns);
    }

    [Fact]
    public void Between_RowOnlyInTheTable_IsDeletedWithTheETagRead()
    {
        var table = Stored(Row(RouteSetTable.Backends, "orders", "eu", ("Url", "http://127.0.0.1:1")));

        var change = Assert.Single(RouteSetDiff.Between([], [table]));

        Assert.Equal((RouteSetChangeKind.Delete, Read), (change.Kind, change.ReadETag));
        Assert.Equal([new RouteSetColumnChange("Url", "http://127.0.0.1:1", null)], change.Columns);
    }

    [Fact]
    public void Between_SameKeysInTheOtherTable_AreDifferentRows()
    {
        var file = Row(RouteSetTable.Routes, "orders", "eu", ("Path", "/a"));
        var table = Stored(Row(RouteSetTable.Backends, "orders", "eu", ("Url", "http://127.0.0.1:1")));

        var changes = RouteSetDiff.Between([file], [table]);

        Assert.Equal([RouteSetChangeKind.Create, RouteSetChangeKind.Delete], changes.Select(c => c.Kind));
    }

    [Fact]
    public void Between_ChangesOfBothTables_PoolsComeBeforeTheirRoutesAndGoAfterThem()
    {
        RouteSetRow[] file =
        [
            Row(RouteSetTable.Routes, "public", "new", ("Pool", "new")),
            Row(RouteSetTable.Backends, "new", "b", ("Url", "http://127.0.0.1:2")),
        ];
        RouteSetRow[] table =
        [
            Stored(Row(RouteSetTable.Backends, "old", "b", ("Url", "http://127.0.0.1:1"))),
            Stored(Row(RouteSetTable.Routes, "public", "old", ("Pool", "old"))),
        ];

        var changes = RouteSetDiff.Between(file, table);

        Assert.Equal(
            ["Create Backends new/b", "Create Routes public/new", "Delete Routes public/old", "Delete Backends old/b"],
            changes.Select(c => $"{c.Kind} {c.Row.Table} {c.Row.PartitionKey}/{c.Row.RowKey}"));
    }

    private static RouteSetRow Stored(RouteSetRow row) => new(row.Table, row.PartitionKey, row.RowKey, row.Columns, Read);
}
