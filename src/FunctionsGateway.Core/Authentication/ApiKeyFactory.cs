using System.Buffers.Text;
using System.Security.Cryptography;
using Azure.Data.Tables;

namespace FunctionsGateway.Authentication;

/// <summary>
/// Creates API keys: <c>fgw_</c> followed by base64url of 32 random bytes and a 4-byte check
/// (the first bytes of their SHA-256). The prefix makes keys recognisable to people and secret
/// scanners; the check lets the gateway reject mistyped or invented <c>fgw_</c> keys without a
/// storage lookup.
/// </summary>
public static class ApiKeyFactory
{
    /// <summary>The prefix of every key this gateway generates.</summary>
    public const string Prefix = "fgw_";

    private const int SecretBytes = 32;
    private const int CheckBytes = 4;

    /// <summary>The length of a generated key in characters.</summary>
    public static readonly int KeyLength = Prefix.Length + Base64Url.GetEncodedLength(SecretBytes + CheckBytes);

    /// <summary>
    /// Generates a key and the row that stores its hash.
    /// </summary>
    /// <param name="consumer">The consumer id (required): printable text without control characters, at most 256 characters.</param>
    /// <param name="plan">The plan, or null.</param>
    /// <param name="scopes">Comma-separated scopes, or null.</param>
    /// <param name="expiresAt">When the key stops being accepted, or null for never.</param>
    /// <param name="description">Free text for operators, or null.</param>
    /// <param name="now">The current time, to refuse an expiry in the past.</param>
    /// <param name="created">The key and its row.</param>
    /// <param name="error">What is wrong with the input, or an empty string.</param>
    /// <returns>Whether the key was created.</returns>
    public static bool TryCreate(
        string? consumer,
        string? plan,
        string? scopes,
        DateTimeOffset? expiresAt,
        string? description,
        DateTimeOffset now,
        out CreatedApiKey? created,
        out string error)
    {
        created = null;
        if (string.IsNullOrWhiteSpace(consumer) || consumer.Trim().Length > 256 || consumer.Any(char.IsControl))
        {
            error = $"'{consumer}' is not a consumer id; use a name of 1 to 256 printable characters, such as contoso-billing";
            return false;
        }

        // The rule the gateway reads the row's Plan with, so a key is never created with a row it would refuse.
        if (plan is not null && !PlanName.IsValid(plan.Trim()))
        {
            error = PlanName.Problem(plan);
            return false;
        }

        // The rule the gateway reads the row's Scopes with, so a key is never created with a row it would refuse.
        if (!AuthPolicy.TryParseScopes(scopes, out var parsedScopes, out error))
        {
            return false;
        }

        if (expiresAt is { } expiry && expiry <= now)
        {
            error = $"The expiry {expiry:O} is not in the future; use a later date such as {now.AddYears(1):yyyy-MM-dd}";
            return false;
        }

        var plaintext = Generate();
        var hash = ApiKeyHasher.Hash(plaintext);
        var entity = new TableEntity(ApiKeyHasher.PartitionKey(hash), hash)
        {
            [ApiKeyColumns.Consumer] = consumer.Trim(),
            [ApiKeyColumns.Enabled] = true,
        };
        if (plan is not null)
        {
            entity[ApiKeyColumns.Plan] = plan.Trim();
        }

        if (!parsedScopes.IsEmpty)
        {
            entity[ApiKeyColumns.Scopes] = string.Join(',', parsedScopes);
        }

        if (expiresAt is { } expires)
        {
            entity[ApiKeyColumns.ExpiresAt] = expires.ToUniversalTime();
        }

        if (!string.IsNullOrWhiteSpace(description))
        {
            entity[ApiKeyColumns.Description] = description.Trim();
        }

        created = new CreatedApiKey(plaintext, hash, entity);
        error = string.Empty;
        return true;
    }

    /// <summary>Generates a new random key in the gateway's format.</summary>
    public static string Generate()
    {
        Span<byte> bytes = stackalloc byte[SecretBytes + CheckBytes];
        RandomNumberGenerator.Fill(bytes[..SecretBytes]);
        WriteCheck(bytes[..SecretBytes], bytes[SecretBytes..]);
        return Prefix + Base64Url.EncodeToString(bytes);
    }

    /// <summary>
    /// Whether <paramref name="key"/> claims the gateway's format (starts with <c>fgw_</c>).
    /// </summary>
    internal static bool HasPrefix(ReadOnlySpan<char> key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Whether a key with the <c>fgw_</c> prefix has the right length and check bytes.</summary>
    internal static bool HasValidCheck(ReadOnlySpan<char> key)
    {
        if (key.Length != KeyLength || !HasPrefix(key))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[SecretBytes + CheckBytes];
        if (Base64Url.DecodeFromChars(key[Prefix.Length..], bytes, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != bytes.Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[CheckBytes];
        WriteCheck(bytes[..SecretBytes], expected);
        return expected.SequenceEqual(bytes[SecretBytes..]);
    }

    private static void WriteCheck(ReadOnlySpan<byte> secret, Span<byte> check)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(secret, digest);
        digest[..CheckBytes].CopyTo(check);
    }
}
