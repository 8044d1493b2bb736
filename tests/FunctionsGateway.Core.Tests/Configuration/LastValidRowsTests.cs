using Azure;
using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// The last valid version of every row is shared through the <c>LastValidRows</c> table: an instance started after an
/// invalid edit serves what the others serve, copies are written only when a row's valid version changed, never rolled
/// back, re-validated before they serve, and removed with their row.
/// </summary>
public sealed class LastValidRowsTests
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly RowId Orders = new("Routes", "public", "orders");

    private readonly FakeLastValidRowsTable _table = new();

    [Fact]
    public void Build_InvalidEditSeenByAnInstanceStartedAfterIt_ServesTheVersionTheOthersServe()
    {
        var first = new GatewayInstance(_table);
        first.Refresh([Route("v1", Monday, ("Backend", "https://orders-v1.internal"))]);
        TableEntity[] edited = [Route("v2", Monday.AddMinutes(5), ("Backend", "https://orders-v1.internal"), ("TimeoutSeconds", "soon"))];

        var old = first.Refresh(edited);
        var started = new GatewayInstance(_table).Refresh(edited);

        Assert.Equal(BackendOf(old), BackendOf(started));
        Assert.Equal(new Uri("https://orders-v1.internal"), BackendOf(started));
        Assert.True(Assert.Single(started.Problems).ServingLastValidVersion);
        Assert.Equal(old.Problems.ToArray(), started.Problems.ToArray());
    }

    [Fact]
    public void Build_ValidRowWithoutCopy_CopiesItsColumnsWithItsETagAndTimestamp()
    {
        var row = Route("v1", Monday, ("Backend", "https://orders.internal"), ("Auth", "jwt"));

        new GatewayInstance(_table).Refresh([row]);

        var copy = Assert.Single(_table.Rows);
        Assert.Equal(("Routes", "public|orders"), (copy.PartitionKey, copy.RowKey));
        Assert.Equal(("/orders", "https://orders.internal", "jwt"), (copy.GetString("Path"), copy.GetString("Backend"), copy.GetString("Auth")));
        Assert.Equal(row.ETag.ToString(), copy.GetString(LastValidCopies.SourceETagColumn));
        Assert.Equal(Monday, copy.GetDateTimeOffset(LastValidCopies.SourceTimestampColumn));
    }

    [Fact]
    public void Build_ValidRowWhoseCopyIsCurrent_WritesNothing()
    {
        TableEntity[] routes = [Route("v1", Monday, ("Backend", "https://orders.internal"))];
        new GatewayInstance(_table).Refresh(routes);
        var copies = _table.Read();

        GatewaySnapshotBuilder.Build("Routes", routes, "Backends", [], GatewaySnapshot.Empty, Monday, lastValidCopies: copies);

        Assert.Empty(copies.Changes);
    }

    [Fact]
    public void Build_ValidEdit_ReplacesTheCopyConditionalOnItsETag()
    {
        new GatewayInstance(_table).Refresh([Route("v1", Monday, ("Backend", "https://orders-v1.internal"))]);
        var stored = Assert.Single(_table.Rows).ETag;
        var copies = _table.Read();

        GatewaySnapshotBuilder.Build(
            "Routes", [Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders-v2.internal"))], "Backends", [], GatewaySnapshot.Empty, Monday, lastValidCopies: copies);

        var change = Assert.Single(copies.Changes);
        Assert.Equal(stored, change.IfMatch);
        Assert.Equal("https://orders-v2.internal", change.Row.GetString("Backend"));
    }

    [Fact]
    public void Build_InstanceThatReadTheRowBeforeAnEdit_DoesNotRollBackTheNewerCopy()
    {
        var late = new GatewayInstance(_table);
        new GatewayInstance(_table).Refresh([Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders-v2.internal"))]);

        late.Refresh([Route("v1", Monday, ("Backend", "https://orders-v1.internal"))]);

        Assert.Equal("https://orders-v2.internal", Assert.Single(_table.Rows).GetString("Backend"));
    }

    [Fact]
    public void Build_TwoInstancesCopyingTheSameEditFromOneRead_OnlyTheFirstWriteLands()
    {
        new GatewayInstance(_table).Refresh([Route("v1", Monday, ("Backend", "https://orders-v1.internal"))]);
        TableEntity[] edited = [Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders-v2.internal"))];
        var readByA = _table.Read();
        var readByB = _table.Read();
        GatewaySnapshotBuilder.Build("Routes", edited, "Backends", [], GatewaySnapshot.Empty, Monday, lastValidCopies: readByA);
        GatewaySnapshotBuilder.Build("Routes", edited, "Backends", [], GatewaySnapshot.Empty, Monday, lastValidCopies: readByB);

        var a = _table.Apply(readByA);
        var b = _table.Apply(readByB);

        Assert.True(a);
        Assert.False(b);
        Assert.Equal("https://orders-v2.internal", Assert.Single(_table.Rows).GetString("Backend"));
    }

    [Fact]
    public void Build_CopiesReadable_ServesTheStoredCopyRatherThanTheVersionInMemory()
    {
        var instance = new GatewayInstance(_table);
        instance.Refresh([Route("v1", Monday, ("Backend", "https://orders-v1.internal"))]);
        new GatewayInstance(_table).Refresh([Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders-v2.internal"))]);

        var snapshot = instance.Refresh([Route("v3", Monday.AddMinutes(2), ("Backend", "https://orders-v3.internal"), ("Path", "orders"))]);

        Assert.Equal(new Uri("https://orders-v2.internal"), BackendOf(snapshot));
    }

    [Fact]
    public void Build_CopyNotWrittenBeforeTheRowTurnedInvalid_ServesItAndWritesItAtTheNextRefresh()
    {
        var instance = new GatewayInstance(_table);
        instance.Refresh([Route("v1", Monday, ("Backend", "https://orders-v1.internal"))], writesFail: true);

        var snapshot = instance.Refresh([Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders-v2.internal"), ("Path", "orders"))]);

        Assert.Equal(new Uri("https://orders-v1.internal"), BackendOf(snapshot));
        Assert.True(Assert.Single(snapshot.Problems).ServingLastValidVersion);
        Assert.Equal("https://orders-v1.internal", Assert.Single(_table.Rows).GetString("Backend"));
    }

    [Fact]
    public void Build_CopyNotWrittenButAnotherInstanceStoredANewerOne_ServesTheNewerOne()
    {
        var instance = new GatewayInstance(_table);
        instance.Refresh([Route("v1", Monday, ("Backend", "https://orders-v1.internal"))], writesFail: true);
        new GatewayInstance(_table).Refresh([Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders-v2.internal"))]);

        var snapshot = instance.Refresh([Route("v3", Monday.AddMinutes(2), ("Backend", "https://orders-v3.internal"), ("Path", "orders"))]);

        Assert.Equal(new Uri("https://orders-v2.internal"), BackendOf(snapshot));
        Assert.Equal("https://orders-v2.internal", Assert.Single(_table.Rows).GetString("Backend"));
    }

    [Fact]
    public void Build_CopiesUnreadable_FallsBackToTheVersionInMemory()
    {
        var instance = new GatewayInstance(_table);
        instance.Refresh([Route("v1", Monday, ("Backend", "https://orders-v1.internal"))], writesFail: true);

        var snapshot = instance.Refresh([Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders-v1.internal"), ("Path", "orders"))], copiesUnreadable: true);

        Assert.Equal(new Uri("https://orders-v1.internal"), BackendOf(snapshot));
        Assert.True(Assert.Single(snapshot.Problems).ServingLastValidVersion);
    }

    [Fact]
    public void Build_InvalidEditAskingForOtherAuth_DoesNotServeTheCopy()
    {
        new GatewayInstance(_table).Refresh([Route("v1", Monday, ("Backend", "https://orders.internal"), ("Auth", "jwt|apikey"))]);

        var snapshot = new GatewayInstance(_table).Refresh([Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders.internal"), ("Auth", "jwt"), ("TimeoutSeconds", "soon"))]);

        Assert.Empty(snapshot.RoutesById);
        Assert.False(Assert.Single(snapshot.Problems).ServingLastValidVersion);
    }

    [Fact]
    public void Build_CopyWhosePoolNoLongerExists_IsNotServed()
    {
        var pool = Backend("orders", "eu-1", "v1", Monday, "https://orders-eu.internal");
        new GatewayInstance(_table).Refresh([Route("v1", Monday, ("Pool", "orders"))], [pool]);

        var snapshot = new GatewayInstance(_table).Refresh([Route("v2", Monday.AddMinutes(1), ("Pool", "orders"), ("TimeoutSeconds", "soon"))]);

        Assert.Empty(snapshot.RoutesById);
        Assert.All(snapshot.Problems, p => Assert.False(p.ServingLastValidVersion));
    }

    [Fact]
    public void Build_InvalidBackendEdit_ServesTheBackendsCopyOnAnotherInstance()
    {
        TableEntity[] routes = [Route("v1", Monday, ("Pool", "orders"))];
        new GatewayInstance(_table).Refresh(routes, [Backend("orders", "eu-1", "v1", Monday, "https://orders-eu.internal")]);

        var snapshot = new GatewayInstance(_table).Refresh(routes, [Backend("orders", "eu-1", "v2", Monday.AddMinutes(1), "orders-eu")]);

        var backend = Assert.Single(snapshot.Pools["orders"].Backends);
        Assert.Equal(new Uri("https://orders-eu.internal"), backend.Url);
        Assert.True(Assert.Single(snapshot.Problems).ServingLastValidVersion);
    }

    [Fact]
    public void Build_DisabledVersionThenAnInvalidEdit_DoesNotBringBackTheEnabledVersion()
    {
        var instance = new GatewayInstance(_table);
        instance.Refresh([Route("v1", Monday, ("Backend", "https://orders.internal"))]);
        instance.Refresh([Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders.internal"), ("Enabled", false))]);

        var snapshot = new GatewayInstance(_table).Refresh([Route("v3", Monday.AddMinutes(2), ("Backend", "https://orders.internal"), ("Enabled", "maybe"))]);

        Assert.Empty(snapshot.RoutesById);
        Assert.False(Assert.Single(snapshot.Problems).ServingLastValidVersion);
    }

    [Fact]
    public void Build_DeletedRow_RemovesItsCopySoNoInstanceServesIt()
    {
        new GatewayInstance(_table).Refresh([Route("v1", Monday, ("Backend", "https://orders.internal"))]);

        new GatewayInstance(_table).Refresh([]);
        var snapshot = new GatewayInstance(_table).Refresh([Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders-v1.internal"), ("Path", "orders"))]);

        Assert.Empty(_table.Rows);
        Assert.Empty(snapshot.RoutesById);
    }

    [Fact]
    public void Build_CopyEditedByHandIntoAnInvalidVersion_IsReportedAndNotServed()
    {
        new GatewayInstance(_table).Refresh([Route("v1", Monday, ("Backend", "https://orders.internal"))]);
        _table.EditByHand("Routes", "public|orders", copy => copy["Backend"] = "orders.internal");

        var snapshot = new GatewayInstance(_table).Refresh([Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders-v1.internal"), ("Path", "orders"))]);

        Assert.Empty(snapshot.RoutesById);
        var warning = Assert.Single(snapshot.Problems, p => p.Row.Table == "LastValidRows");
        Assert.Equal((ProblemSeverity.Warning, "Routes", "public|orders", "Backend"), (warning.Severity, warning.Row.PartitionKey, warning.Row.RowKey, warning.Column));
        Assert.StartsWith("is not a valid version of Routes 'public/orders' (", warning.Message, StringComparison.Ordinal);
        Assert.EndsWith("so it is not served; the gateway writes the copy again when the row is valid, or delete it", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_CopyEditedByHandWhileTheRowIsValid_IsWrittenAgainFromTheRow()
    {
        TableEntity[] routes = [Route("v1", Monday, ("Backend", "https://orders.internal"))];
        new GatewayInstance(_table).Refresh(routes);
        _table.EditByHand("Routes", "public|orders", copy => copy["Backend"] = "https://elsewhere.internal");

        new GatewayInstance(_table).Refresh(routes);

        Assert.Equal("https://orders.internal", Assert.Single(_table.Rows).GetString("Backend"));
    }

    [Fact]
    public void Build_CopyWithoutItsSourceColumns_IsReportedAndNotServed()
    {
        new GatewayInstance(_table).Refresh([Route("v1", Monday, ("Backend", "https://orders.internal"))]);
        _table.EditByHand("Routes", "public|orders", copy => copy.Remove(LastValidCopies.SourceTimestampColumn));

        var snapshot = new GatewayInstance(_table).Refresh([Route("v2", Monday.AddMinutes(1), ("Backend", "https://orders-v1.internal"), ("Path", "orders"))]);

        Assert.Empty(snapshot.RoutesById);
        var warning = Assert.Single(snapshot.Problems, p => p.Row.Table == "LastValidRows");
        Assert.Equal(
            "lacks SourceETag or SourceTimestamp (a String and a DateTime), so it is not served; the gateway writes the copy again when the row is valid, or delete it",
            warning.Message);
    }

    [Theory]
    [InlineData("Routes", "public-orders")]
    [InlineData("Routes", "public|orders|v2")]
    [InlineData("Routes", "public|ord%41ers")]
    public void Build_CopyRowWhoseKeyNamesNoRow_IsReportedAndIgnored(string partitionKey, string rowKey)
    {
        _table.Add(new TableEntity(partitionKey, rowKey) { ["Path"] = "/orders", ["Backend"] = "https://orders.internal" });

        var snapshot = new GatewayInstance(_table).Refresh([]);

        var warning = Assert.Single(snapshot.Problems);
        Assert.Equal(new RowId("LastValidRows", partitionKey, rowKey), warning.Row);
        Assert.Equal(
            "is not the copy of a row: its PartitionKey must be the table's name (Routes or Backends) and its RowKey the row's PartitionKey and RowKey joined by '|' (such as public|orders); the gateway ignores it, delete it",
            warning.Message);
        Assert.Single(_table.Rows);
    }

    [Theory]
    [InlineData("public", "orders", "public|orders")]
    [InlineData("a|b", "c", "a%7Cb|c")]
    [InlineData("a", "b|c", "a|b%7Cc")]
    [InlineData("100%", "%7C", "100%25|%257C")]
    public void LastValidRowKey_ForAnyKeys_ReadsBackTheSameKeys(string partitionKey, string rowKey, string expected)
    {
        var key = LastValidRowKey.For(partitionKey, rowKey);
        var parsed = LastValidRowKey.TryParse(key, out var readPartitionKey, out var readRowKey);

        Assert.Equal(expected, key);
        Assert.True(parsed);
        Assert.Equal((partitionKey, rowKey), (readPartitionKey, readRowKey));
    }

    private static Uri BackendOf(GatewaySnapshot snapshot) =>
        Assert.Single(snapshot.Pools[Assert.IsType<PoolTarget>(snapshot.RoutesById[Orders].Route.Target).PoolName].Backends).Url;

    private static TableEntity Route(string version, DateTimeOffset editedAt, params (string Column, object Value)[] columns) =>
        Row("public", "orders", version, editedAt, [("Path", "/orders"), .. columns]);

    private static TableEntity Backend(string pool, string id, string version, DateTimeOffset editedAt, string url) =>
        Row(pool, id, version, editedAt, [("Url", url)]);

    // As the Table service returns a row: with the ETag and Timestamp of the version read.
    private static TableEntity Row(string partitionKey, string rowKey, string version, DateTimeOffset editedAt, (string Column, object Value)[] columns)
    {
        var row = new TableEntity(partitionKey, rowKey) { ETag = new ETag($"W/\"{version}\""), Timestamp = editedAt };
        foreach (var (column, value) in columns)
        {
            row[column] = value;
        }

        return row;
    }
}
