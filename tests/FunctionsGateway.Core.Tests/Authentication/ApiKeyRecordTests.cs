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

    [Theory]
    [InlineData("Consumer", null, "must be a non-empty string naming the consumer")]
    [InlineData("Consumer", 42, "must be a non-empty string naming the consumer")]
    [InlineData("Plan", 3, "must be a string")]
    [InlineData("Scopes", "orders read", "must be a string of comma-separated scopes such as orders.read,orders.write")]
    [InlineData("Enabled", 1, "must be a bool (true or false)")]
    [InlineData("Enabled", "yes", "must be a bool (true or false)")]
    [InlineData("ExpiresAt", "next year", "must be a DateTime such as 2027-01-31T00:00:00Z")]
    [InlineData("ExpiresAt", 2027, "must be a DateTime such as 2027-01-31T00:00:00Z")]
    [InlineData("Description", true, "must be a string")]
    public void FromEntity_BadColumn_IsInvalidNamingTheColumn(string column, object? value, string problem)
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

    private static TableEntity Row() => new(Hash[..2], Hash) { ["Consumer"] = "contoso" };
}
