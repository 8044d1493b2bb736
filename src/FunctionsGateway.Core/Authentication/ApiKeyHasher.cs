using System.Security.Cryptography;
using System.Text;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Hashes API keys the way the <c>ApiKeys</c> table stores them: lowercase hex SHA-256 of the
/// key's UTF-8 bytes as RowKey, its first two characters as PartitionKey. A key is high-entropy
/// random data, so a fast unsalted hash is enough: it cannot be guessed from its hash.
/// </summary>
public static class ApiKeyHasher
{
    /// <summary>The length of a hash in hex characters.</summary>
    public const int HashLength = 64;

    /// <summary>How many hex characters of a hash are shown in logs and in <c>X-Gateway-Subject</c>.</summary>
    public const int PrefixLength = 12;

    /// <summary>The longest key, in characters, that is hashed at all; longer ones are rejected unread.</summary>
    internal const int MaxKeyLength = 512;

    /// <summary>Returns the lowercase hex SHA-256 of <paramref name="key"/>.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<char> hash = stackalloc char[HashLength];
        if (key.Length <= MaxKeyLength)
        {
            Hash(key, hash);
            return new string(hash);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    /// <summary>Writes the lowercase hex SHA-256 of a key of at most <see cref="MaxKeyLength"/> characters without allocating.</summary>
    internal static void Hash(ReadOnlySpan<char> key, Span<char> destination)
    {
        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"An API key longer than {MaxKeyLength} characters is not hashed.", nameof(key));
        }

        Span<byte> utf8 = stackalloc byte[MaxKeyLength * 3];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], digest);
        Convert.TryToHexStringLower(digest, destination, out _);
    }

    /// <summary>The PartitionKey of the row for <paramref name="hash"/>: its first two hex characters.</summary>
    public static string PartitionKey(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return hash[..2];
    }

    /// <summary>The first <see cref="PrefixLength"/> characters of <paramref name="hash"/>, safe to log.</summary>
    public static string Prefix(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return hash.Length <= PrefixLength ? hash : hash[..PrefixLength];
    }

    /// <summary>Whether <paramref name="value"/> looks like a stored hash: 64 lowercase hex characters.</summary>
    public static bool IsHash(string? value) =>
        value is { Length: HashLength } && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
