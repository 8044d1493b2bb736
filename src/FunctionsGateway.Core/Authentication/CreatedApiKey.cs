using Azure.Data.Tables;

namespace FunctionsGateway.Authentication;

/// <summary>
/// A freshly generated API key: the plaintext to hand to the consumer once, and the row to store,
/// which holds only the hash. <see cref="ToString"/> never shows the plaintext.
/// </summary>
public sealed class CreatedApiKey
{
    internal CreatedApiKey(string plaintext, string hash, TableEntity entity)
    {
        Plaintext = plaintext;
        Hash = hash;
        Entity = entity;
    }

    /// <summary>The key itself. Show it once and do not store or log it.</summary>
    public string Plaintext { get; }

    /// <summary>The key's hash, the row's RowKey: safe to show, log and use to disable the key.</summary>
    public string Hash { get; }

    /// <summary>The <c>ApiKeys</c> row to add.</summary>
    public TableEntity Entity { get; }

    /// <summary>The hash prefix, never the key.</summary>
    public override string ToString() => $"API key {ApiKeyHasher.Prefix(Hash)}";
}
