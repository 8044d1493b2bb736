using Azure.Data.Tables;
using FunctionsGateway.Authentication;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class ApiKeyRecordTests
{
    private const string Hash = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    [Fact]
    public void FromEntity_TypedColumns_ReadsEveryColumn()
    {
        var entity = Row();
        entity["Plan"] = "gold";
        entity["Scopes"] = "orders.read,orders.write";
        entity["Enabled"] = false;
        entity["ExpiresAt"] = new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero);
        entity["Description"] = "billing";

        var record = ApiKeyRecord.FromEntity(entity);

        Assert.True(record.IsValid);
        Assert.Equal(Hash, record.Hash);
        Assert.Equal("contoso", record.Consumer);
        Assert.Equal("gold", record.Plan);
        Assert.Equal(["orders.read", "orders.write"], record.Scopes.ToArray());
        Assert.False(record.Enabled);
        Assert.Equal(new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero), record.ExpiresAt);
        Assert.Equal("billing", record.Description);
    }

    [Fact]
    public void FromEntity_OnlyConsumer_UsesDefaults()
    {
        var record = ApiKeyRecord.FromEntity(Row());

        Assert.True(record.IsValid);
        Assert.True(record.Enabled);
        Assert.Null(record.ExpiresAt);
        Assert.Null(record.Plan);
        Assert.Empty(record.Scopes);
    }

    [Fact]
    public void FromEntity_ColumnsTypedAsStringsByHand_AreAccepted()
    {
        var entity = Row();
        entity["Enabled"] = "False";
        entity["ExpiresAt"] = "2027-01-31";

        var record = ApiKeyRecord.FromEntity(entity);

        Assert.True(record.IsValid);
        Assert.False(record.Enabled);
        Assert.Equal(new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero), record.ExpiresAt);
    }

    [Fact]
    public void FromEntity_BlankCells_ReadAsAbsentLikeInEveryOtherTable()
    {
        var entity = Row();
        entity["Plan"] = "  ";
        entity["Scopes"] = string.Empty;
        entity["Enabled"] = string.Empty;
        entity["ExpiresAt"] = " ";
        entity["Description"] = string.Empty;

        var record = ApiKeyRecord.FromEntity(entity);

        Assert.True(record.IsValid);
        Assert.Null(record.Plan);
        Assert.Empty(record.Scopes);
        Assert.True(record.Enabled);
        Assert.Null(record.ExpiresAt);
        Assert.Null(record.Description);
    }

    [Fact]
    public void FromEntity_ScopesWithSpacesAndDuplicates_AreTrimmedAndListedOnce()
    {
        var entity = Row();
        entity["Scopes"] = " orders.read , orders.write,orders.read ";

        var record = ApiKeyRecord.FromEntity(entity);

        Assert.True(record.IsValid);
        Assert.Equal(["orders.read", "orders.write"], record.Scopes.ToArray());
    }

    [Theory]
    [InlineData("Consumer", null, "is required; write the consumer id the key authenticates as, such as contoso-billing")]
    [InlineData("Consumer", "  ", "is required; write the consumer id the key authenticates as, such as contoso-billing")]
    [InlineData("Consumer", 42, "is stored as 42 (Int32); store it as a String")]
    [InlineData("Plan", 3, "is stored as 3 (Int32); store it as a String")]
    [InlineData("Plan", "gold plan", "'gold plan' is not a plan name; use 1 to 64 letters, digits, '-', '_' or '.', such as gold")]
    [InlineData("Plan", "gold;free", "'gold;free' is not a plan name; use 1 to 64 letters, digits, '-', '_' or '.', such as gold")]
    [InlineData("Plan", "gold\r\nX-Injected: 1", "'gold\r\nX-Injected: 1' is not a plan name; use 1 to 64 letters, digits, '-', '_' or '.', such as gold")]
    [InlineData("Scopes", "orders read", "'orders read' is not a scope: a scope is printable ASCII without spaces, quotes or backslashes; separate scopes with commas, such as orders.read,orders.write")]
    [InlineData("Scopes", "orders.read,", "'orders.read,' has an empty entry; list scopes separated by single commas, such as orders.read,orders.write")]
    [InlineData("Scopes", true, "is stored as true (Boolean); store it as a String")]
    [InlineData("Enabled", 1, "1 (Int32) is not a boolean; write true or false")]
    [InlineData("Enabled", "yes", "'yes' is not a boolean; write true or false")]
    [InlineData("ExpiresAt", "next year", "'next year' is not a date; write one such as 2027-01-31T00:00:00Z")]
    [InlineData("ExpiresAt", 2027, "2027 (Int32) is not a date; write one such as 2027-01-31T00:00:00Z")]
    [InlineData("Description", true, "is stored as true (Boolean); store it as a String")]
    public void FromEntity_BadColumn_IsInvalidNamingTheColumnWithTheMessageRouteRowsGet(string column, object? value, string problem)
    {
        var entity = Row();
        if (value is null)
        {
            entity.Remove(column);
        }
        else
        {
            entity[column] = value;
        }

        var record = ApiKeyRecord.FromEntity(entity);

        Assert.False(record.IsValid);
        Assert.False(record.Enabled);
        Assert.Equal(column, record.InvalidColumn);
        Assert.Equal(problem, record.Problem);
    }

    [Theory]
    [InlineData("enabled", "Enabled")]
    [InlineData("EXPIRESAT", "ExpiresAt")]
    [InlineData("consumer", "Consumer")]
    public void FromEntity_ColumnNamedInAnotherCase_RejectsTheKey(string written, string column)
    {
        // 'enabled = false' read as absent would leave the key enabled: the row is refused instead.
        var entity = Row();
        entity[written] = "false";

        var record = ApiKeyRecord.FromEntity(entity);

        Assert.False(record.IsValid);
        Assert.False(record.Enabled);
        Assert.Equal(written, record.InvalidColumn);
        Assert.Equal($"column names are case-sensitive: rename '{written}' to '{column}'", record.Problem);
    }

    [Fact]
    public void FromEntity_UnknownColumn_IsIgnored()
    {
        var entity = Row();
        entity["Owner"] = "team-billing";

        var record = ApiKeyRecord.FromEntity(entity);

        Assert.True(record.IsValid);
    }

    [Fact]
    public void FromEntity_SeveralBadColumns_NamesTheFirstInColumnOrder()
    {
        var entity = Row();
        entity["Enabled"] = "yes";
        entity["Plan"] = 3;

        var record = ApiKeyRecord.FromEntity(entity);

        Assert.Equal("Plan", record.InvalidColumn);
    }

    private static TableEntity Row() => new(Hash[..2], Hash) { ["Consumer"] = "contoso" };
}
