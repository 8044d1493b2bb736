using FunctionsGateway.Authentication;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class ApiKeyFactoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Generate_NewKey_HasThePrefixTheLengthAndAValidCheck()
    {
        var key = ApiKeyFactory.Generate();

        Assert.StartsWith("fgw_", key, StringComparison.Ordinal);
        Assert.Equal(ApiKeyFactory.KeyLength, key.Length);
        Assert.Equal(52, key.Length);
        Assert.True(ApiKeyFactory.HasValidCheck(key));
        Assert.All(key[4..], c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }

    [Fact]
    public void Generate_TwoKeys_Differ()
    {
        var first = ApiKeyFactory.Generate();
        var second = ApiKeyFactory.Generate();

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void HasValidCheck_EveryCharacterChangedInTurn_IsFalse()
    {
        var key = ApiKeyFactory.Generate();

        for (var i = 4; i < key.Length; i++)
        {
            var changed = key[..i] + (key[i] == 'A' ? 'B' : 'A') + key[(i + 1)..];
            Assert.False(ApiKeyFactory.HasValidCheck(changed), $"changed at {i}");
        }
    }

    [Fact]
    public void TryCreate_ValidInput_StoresOnlyTheHashAndTheColumns()
    {
        var created = Create("contoso", "gold", "orders.read, orders.write", Now.AddYears(1), "billing service");

        var entity = created.Entity;
        Assert.Equal(ApiKeyHasher.Hash(created.Plaintext), created.Hash);
        Assert.Equal(created.Hash, entity.RowKey);
        Assert.Equal(created.Hash[..2], entity.PartitionKey);
        Assert.Equal("contoso", entity["Consumer"]);
        Assert.Equal("gold", entity["Plan"]);
        Assert.Equal("orders.read,orders.write", entity["Scopes"]);
        Assert.Equal(true, entity["Enabled"]);
        Assert.Equal(Now.AddYears(1), entity["ExpiresAt"]);
        Assert.Equal("billing service", entity["Description"]);
        Assert.DoesNotContain(((IDictionary<string, object>)entity).Values, v => v is string s && s.Contains(created.Plaintext[4..], StringComparison.Ordinal));
    }

    [Fact]
    public void TryCreate_StoredRow_ReadsBackAsAValidRecord()
    {
        var created = Create("contoso", "gold", "orders.read", Now.AddDays(30), description: null);

        var record = ApiKeyRecord.FromEntity(created.Entity);

        Assert.True(record.IsValid);
        Assert.Equal("contoso", record.Consumer);
        Assert.Equal("gold", record.Plan);
        Assert.Equal(["orders.read"], record.Scopes.ToArray());
        Assert.True(record.Enabled);
        Assert.Equal(Now.AddDays(30), record.ExpiresAt);
    }

    [Fact]
    public void ToString_CreatedKey_ShowsTheHashPrefixNeverThePlaintext()
    {
        var created = Create("contoso", plan: null, scopes: null, expiresAt: null, description: null);

        var text = created.ToString();

        Assert.Equal("API key " + created.Hash[..12], text);
    }

    [Theory]
    [InlineData("", "'' is not a consumer id; use a name of 1 to 256 printable characters, such as contoso-billing")]
    [InlineData("a\nb", "'a\nb' is not a consumer id; use a name of 1 to 256 printable characters, such as contoso-billing")]
    public void TryCreate_BadConsumer_ExplainsTheFix(string consumer, string expected)
    {
        var ok = ApiKeyFactory.TryCreate(consumer, null, null, null, null, Now, out var created, out var error);

        Assert.False(ok);
        Assert.Null(created);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("orders read", "'orders read' is not a scope: a scope is printable ASCII without spaces, quotes or backslashes; separate scopes with commas, such as orders.read,orders.write")]
    [InlineData("orders.read,,orders.write", "'orders.read,,orders.write' has an empty entry; list scopes separated by single commas, such as orders.read,orders.write")]
    public void TryCreate_BadScopes_ExplainsTheFixAsTheGatewayWouldReadTheRow(string scopes, string expected)
    {
        var ok = ApiKeyFactory.TryCreate("contoso", null, scopes, null, null, Now, out _, out var error);

        Assert.False(ok);
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("gold plan", "'gold plan' is not a plan name; use 1 to 64 letters, digits, '-', '_' or '.', such as gold")]
    [InlineData("", "'' is not a plan name; use 1 to 64 letters, digits, '-', '_' or '.', such as gold")]
    public void TryCreate_BadPlan_ExplainsTheFixAsTheGatewayWouldReadTheRow(string plan, string expected)
    {
        var ok = ApiKeyFactory.TryCreate("contoso", plan, null, null, null, Now, out _, out var error);

        Assert.False(ok);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryCreate_ExpiryInThePast_ExplainsTheFix()
    {
        var ok = ApiKeyFactory.TryCreate("contoso", null, null, Now.AddDays(-1), null, Now, out _, out var error);

        Assert.False(ok);
        Assert.Equal("The expiry 2026-02-28T12:00:00.0000000+00:00 is not in the future; use a later date such as 2027-03-01", error);
    }

    private static CreatedApiKey Create(string consumer, string? plan, string? scopes, DateTimeOffset? expiresAt, string? description)
    {
        Assert.True(ApiKeyFactory.TryCreate(consumer, plan, scopes, expiresAt, description, Now, out var created, out var error), error);
        return created!;
    }
}
