using System.Collections.Frozen;
using Microsoft.IdentityModel.Tokens;

namespace FunctionsGateway.Authentication;

/// <summary>One issuer's signing keys as last fetched, with the validation parameters built from them.</summary>
internal sealed class SigningKeySnapshot
{
    /// <summary>
    /// The most keys a token without <c>kid</c> is tried against (the first ones of the key set), so an issuer
    /// publishing many keys cannot make one token cost a signature check per key.
    /// </summary>
    public const int MaxKeysTriedWithoutKeyId = 4;

    public SigningKeySnapshot(string issuer, IReadOnlyList<SecurityKey> keys, TokenValidationParameters parameters, DateTimeOffset fetchedAt)
    {
        Issuer = issuer;
        Keys = keys;
        KeyIds = keys.Select(k => k.KeyId).Where(id => !string.IsNullOrEmpty(id)).ToFrozenSet(StringComparer.Ordinal);
        Parameters = parameters;
        FetchedAt = fetchedAt;
        if (keys.Count > MaxKeysTriedWithoutKeyId)
        {
            ParametersWithoutKeyId = parameters.Clone();
            ParametersWithoutKeyId.IssuerSigningKeys = keys.Take(MaxKeysTriedWithoutKeyId).ToList();
        }
        else
        {
            ParametersWithoutKeyId = parameters;
        }
    }

    /// <summary>The <c>iss</c> tokens must carry.</summary>
    public string Issuer { get; }

    /// <summary>The usable (asymmetric signing) keys.</summary>
    public IReadOnlyList<SecurityKey> Keys { get; }

    /// <summary>The <c>kid</c>s of <see cref="Keys"/>.</summary>
    public FrozenSet<string> KeyIds { get; }

    /// <summary>Parameters for <c>JsonWebTokenHandler.ValidateTokenAsync</c>, shared by all requests.</summary>
    public TokenValidationParameters Parameters { get; }

    /// <summary>
    /// Parameters for a token without <c>kid</c>: the same checks, against at most <see cref="MaxKeysTriedWithoutKeyId"/> keys.
    /// </summary>
    public TokenValidationParameters ParametersWithoutKeyId { get; }

    /// <summary>When the keys were fetched.</summary>
    public DateTimeOffset FetchedAt { get; }
}
