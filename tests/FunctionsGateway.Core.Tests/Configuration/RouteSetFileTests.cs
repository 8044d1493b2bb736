using FunctionsGateway.Configuration;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// The route-set file: one documented JSON format whose text depends only on the rows (so git diffs are readable),
/// that reads back exactly what storage holds, and that names the file, the row and what to write for every mistake.
/// </summary>
public sealed class RouteSetFileTests
{
    [Fact]
    public void Write_RowsInAnyOrder_SortsRowsByTableAndKeysAndColumnsByName()
    {
        RouteSetRow[] rows =
        [
            Row(RouteSetTable.Backends, "orders", "eu", ("Url", "http://127.0.0.1:5001"), ("Weight", 3)),
            Row(RouteSetTable.Routes, "public", "orders", ("Pool", "orders"), ("Path", "/orders"), ("Enabled", true)),
            Row(RouteSetTable.Routes, "public", "hello", ("Path", "/hello"), ("Backend", "http://127.0.0.1:5002")),
        ];

        var text = RouteSetFile.Write(rows);

        Assert.Equal(
            """
            {
              "version": 1,
              "rows": [
                {
                  "table": "Routes",
                  "PartitionKey": "public",
                  "RowKey": "hello",
                  "Backend": "http://127.0.0.1:5002",
                  "Path": "/hello"
                },
                {
                  "table": "Routes",
                  "PartitionKey": "public",
                  "RowKey": "orders",
                  "Enabled": true,
                  "Path": "/orders",
                  "Pool": "orders"
                },
                {
                  "table": "Backends",
                  "PartitionKey": "orders",
                  "RowKey": "eu",
                  "Url": "http://127.0.0.1:5001",
                  "Weight": 3
                }
              ]
            }

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void WriteThenRead_EveryColumnType_ReadsBackTheSameTypesAndValues()
    {
        var row = Row(
            RouteSetTable.Routes,
            "public",
            "typed",
            ("AsString", "5"),
            ("AsInt32", 5),
            ("AsInt64", 5L),
            ("AsBoolean", false),
            ("AsDouble", 2.0),
            ("AsDateTime", new DateTimeOffset(2027, 1, 31, 18, 0, 0, TimeSpan.FromHours(2))),
            ("AsGuid", Guid.Parse("6f9619ff-8b86-d011-b42d-00c04fc964ff")),
            ("AsBinary", new byte[] { 1, 2, 255 }),
            ("RateLimitPlans", "gold: 1000/1m; free: 10/1m"),
            ("Text", "it's <b>&</b> \"quoted\""));

        var ok = RouteSetFile.TryRead(RouteSetFile.Write([row]), "rows.json", out var read, out var problems);

        Assert.True(ok, string.Join('\n', problems));
        var back = Assert.Single(read);
        Assert.Equal(row.Columns.Keys, back.Columns.Keys);
        Assert.All(row.Columns, column => Assert.True(
            RouteSetValue.AreEqual(column.Value, back.Columns[column.Key]),
            $"{column.Key}: {RouteSetValue.Display(column.Value)} read back as {RouteSetValue.Display(back.Columns[column.Key])}"));
    }

    [Fact]
    public void Write_TypesThePlainFormsWouldNotGiveBack_AreNamed()
    {
        var row = Row(RouteSetTable.Routes, "public", "typed", ("Big", 5L), ("Ratio", 0.5), ("Text", "it's"));

        var text = RouteSetFile.Write([row]);

        Assert.Contains("\"Big\": {\n        \"type\": \"Int64\",\n        \"value\": \"5\"\n      }", text, StringComparison.Ordinal);
        Assert.Contains("\"Ratio\": {\n        \"type\": \"Double\",\n        \"value\": \"0.5\"\n      }", text, StringComparison.Ordinal);
        Assert.Contains("\"Text\": \"it's\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"version\": 1, \"rows\": [ { \"table\": \"Routes\" \"PartitionKey\": \"p\" } ] }", "rows.json: line 1, position 47: not valid JSON: ")]
    [InlineData("{\n  \"version\": 1,\n  \"rows\": [\n", "rows.json: line 4, position 1: not valid JSON: ")]
    public void TryRead_NotValidJson_SaysWhereWithLineAndPosition(string text, string expectedStart)
    {
        var ok = RouteSetFile.TryRead(text, "rows.json", out var rows, out var problems);

        Assert.False(ok);
        Assert.Empty(rows);
        Assert.StartsWith(expectedStart, Assert.Single(problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "rows.json: the file holds a JSON array; write an object: { \"version\": 1, \"rows\": [ ... ] }")]
    [InlineData("{ \"rows\": [] }", "rows.json: \"version\" must be 1 (the format this gateway reads); write \"version\": 1")]
    [InlineData("{ \"version\": 2, \"rows\": [] }", "rows.json: \"version\" must be 1 (the format this gateway reads); write \"version\": 1")]
    [InlineData("{ \"version\": 1 }", "rows.json: \"rows\" must be an array of rows; write \"rows\": [ { \"table\": \"Routes\", \"PartitionKey\": ..., \"RowKey\": ..., ... } ]")]
    [InlineData("{ \"version\": 1, \"rows\": [], \"Routes\": [] }", "rows.json: 'Routes' is not part of a route-set file; the file holds only \"version\" and \"rows\"")]
    [InlineData("{ \"version\": 1, \"rows\": [], \"rows\": [] }", "rows.json: 'rows' is given more than once; keep one")]
    public void TryRead_WrongShape_SaysWhatToWrite(string text, string expected)
    {
        var ok = RouteSetFile.TryRead(text, "rows.json", out _, out var problems);

        Assert.False(ok);
        Assert.Equal(expected, Assert.Single(problems));
    }

    [Theory]
    [InlineData("\"x\"", "rows.json: row 1: is a JSON string; write an object with \"table\", \"PartitionKey\", \"RowKey\" and the row's columns")]
    [InlineData("{ \"PartitionKey\": \"p\", \"RowKey\": \"r\" }", "rows.json: row 1: has no \"table\"; write \"table\": \"Routes\" or \"table\": \"Backends\"")]
    [InlineData("{ \"table\": \"ApiKeys\", \"PartitionKey\": \"p\", \"RowKey\": \"r\" }", "rows.json: row 1: table 'ApiKeys' is not one a route set holds; write \"Routes\" or \"Backends\" (API keys are managed with the apikey command)")]
    [InlineData("{ \"table\": \"routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\" }", "rows.json: row 1: table 'routes' is not one a route set holds; write \"Routes\" or \"Backends\" (API keys are managed with the apikey command)")]
    [InlineData("{ \"table\": \"Routes\", \"RowKey\": \"r\" }", "rows.json: row 1: needs a PartitionKey written as a non-empty string")]
    [InlineData("{ \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": 5 }", "rows.json: row 1: needs a RowKey written as a non-empty string")]
    [InlineData("{ \"table\": \"Routes\", \"PartitionKey\": \"a/b\", \"RowKey\": \"r\" }", "rows.json: row 1: PartitionKey 'a/b' holds a character the Table service does not allow in keys (/, \\, #, ? or a control character); choose another PartitionKey")]
    [InlineData("{ \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\", \"Path\": \"/a\", \"Path\": \"/b\" }", "rows.json: row 1 (Routes 'p/r'): 'Path' is given more than once; keep one")]
    [InlineData("{ \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\", \"Timestamp\": \"2027-01-01\" }", "rows.json: row 1 (Routes 'p/r'): column 'Timestamp' is written by the Table service, not by a file; remove it")]
    [InlineData("{ \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\", \"Path\": null }", "rows.json: row 1 (Routes 'p/r'): column 'Path': holds a JSON null; write a string, a whole number, true or false, or a typed value such as { \"type\": \"Int64\", \"value\": \"5\" } (to leave a column empty, leave it out)")]
    [InlineData("{ \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\", \"Methods\": [\"GET\"] }", "rows.json: row 1 (Routes 'p/r'): column 'Methods': holds a JSON array; write a string, a whole number, true or false, or a typed value such as { \"type\": \"Int64\", \"value\": \"5\" } (to leave a column empty, leave it out)")]
    [InlineData("{ \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\", \"TimeoutSeconds\": 2.5 }", "rows.json: row 1 (Routes 'p/r'): column 'TimeoutSeconds': 2.5 is not a whole number that fits Int32; write a typed value such as { \"type\": \"Int64\", \"value\": \"2.5\" } or { \"type\": \"Double\", \"value\": \"2.5\" }")]
    [InlineData("{ \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\", \"Order\": { \"type\": \"Int16\", \"value\": \"5\" } }", "rows.json: row 1 (Routes 'p/r'): column 'Order': 'Int16' is not a column type; use one of String, Int32, Int64, Boolean, Double, DateTime, Guid, Binary")]
    [InlineData("{ \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\", \"Order\": { \"type\": \"Int64\", \"value\": \"soon\" } }", "rows.json: row 1 (Routes 'p/r'): column 'Order': 'soon' is not a value of type Int64")]
    [InlineData("{ \"table\": \"Routes\", \"PartitionKey\": \"p\", \"RowKey\": \"r\", \"Order\": { \"type\": \"Int64\", \"value\": 5 } }", "rows.json: row 1 (Routes 'p/r'): column 'Order': a typed value is { \"type\": \"Int64\", \"value\": \"5\" }: a type (String, Int32, Int64, Boolean, Double, DateTime, Guid, Binary) and the value as a string")]
    public void TryRead_BadRow_NamesTheRowAndSaysWhatToWrite(string row, string expected)
    {
        var ok = RouteSetFile.TryRead($$"""{ "version": 1, "rows": [ {{row}} ] }""", "rows.json", out _, out var problems);

        Assert.False(ok);
        Assert.Equal(expected, Assert.Single(problems));
    }

    [Fact]
    public void TryRead_TheSameRowTwice_NamesBothPlaces()
    {
        const string text = """
            { "version": 1, "rows": [
              { "table": "Routes", "PartitionKey": "public", "RowKey": "orders", "Path": "/orders" },
              { "table": "Backends", "PartitionKey": "public", "RowKey": "orders", "Url": "http://127.0.0.1:1" },
              { "table": "Routes", "PartitionKey": "public", "RowKey": "orders", "Path": "/orders/v2" }
            ] }
            """;

        var ok = RouteSetFile.TryRead(text, "rows.json", out _, out var problems);

        Assert.False(ok);
        Assert.Equal("rows.json: row 3: Routes 'public/orders' is already row 1; a row may appear once, so keep one of them", Assert.Single(problems));
    }

    [Fact]
    public void TryRead_SeveralBadRows_ReportsEveryProblem()
    {
        const string text = """
            { "version": 1, "rows": [
              { "table": "Nope", "PartitionKey": "p", "RowKey": "a" },
              { "table": "Routes", "PartitionKey": "p", "RowKey": "b", "Path": null, "Order": [] }
            ] }
            """;

        var ok = RouteSetFile.TryRead(text, "rows.json", out _, out var problems);

        Assert.False(ok);
        Assert.Equal(3, problems.Count);
    }

    [Fact]
    public void TryRead_KeysAreCaseSensitive_LikeTheTableService()
    {
        const string text = """
            { "version": 1, "rows": [
              { "table": "Routes", "PartitionKey": "public", "RowKey": "orders" },
              { "table": "Routes", "PartitionKey": "public", "RowKey": "Orders" }
            ] }
            """;

        var ok = RouteSetFile.TryRead(text, "rows.json", out var rows, out _);

        Assert.True(ok);
        Assert.Equal(2, rows.Count);
    }

    internal static RouteSetRow Row(RouteSetTable table, string partitionKey, string rowKey, params (string Name, object Value)[] columns) =>
        new(table, partitionKey, rowKey, columns.Select(c => KeyValuePair.Create(c.Name, c.Value)));
}
