using System.Security.Cryptography;
using System.Text;
using FunctionsGateway.Authentication;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class ApiKeyHasherTests
{
    [Fact]
    public void Hash_KnownInput_IsLowercaseHexSha256()
    {
        var hash = ApiKeyHasher.Hash("abc");

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash);
    }

    [Fact]
    public void Hash_NonAsciiKey_HashesUtf8Bytes()
    {
        var hash = ApiKeyHasher.Hash("é");

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("é"u8)), hash);
    }

    [Fact]
    public void Hash_KeyLongerThanTheSpanLimit_StillHashes()
    {
        var key = new string('k', 2000);

        var hash = ApiKeyHasher.Hash(key);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), hash);
    }

    [Fact]
    public void PartitionKey_Hash_IsTheFirstTwoCharacters()
    {
        var partition = ApiKeyHasher.PartitionKey("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

        Assert.Equal("ba", partition);
    }

    [Fact]
    public void Prefix_Hash_IsTheFirstTwelveCharacters()
    {
        var prefix = ApiKeyHasher.Prefix("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

        Assert.Equal("ba7816bf8f01", prefix);
    }

    [Theory]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", true)]
    [InlineData("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", false)]
    [InlineData("ba7816bf", false)]
    [InlineData("fgw_notahashnotahashnotahashnotahashnotahashnotahashnotahash", false)]
    [InlineData(null, false)]
    public void IsHash_Value_AcceptsOnly64LowercaseHexCharacters(string? value, bool expected)
    {
        var isHash = ApiKeyHasher.IsHash(value);

        Assert.Equal(expected, isHash);
    }
}
