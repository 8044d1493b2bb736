using System.Collections.Frozen;
using Microsoft.IdentityModel.Tokens;

namespace FunctionsGateway.Authentication;

/// <summary>One issuer's signing keys as last fetched, with the validation parameters built from them.</summary>
internal sealed class SigningKeySnapshot
{
    public SigningKeySnapshot(string issuer, IReadOnlyList<SecurityKey> keys, TokenValidationParameters parameters, DateTimeOffset fetchedAt)
    {
        Issuer = issuer;
        Keys = keys;
        KeyIds = keys.Select(k => k.KeyId).Where(id => !string.IsNullOrEmpty(id)).ToFrozenSet(StringComparer.Ordinal);
        Parameters = parameters;
        FetchedAt = fetchedAt;
    }

    /// <summary>The <c>iss</c> tokens must carry.</summary>
    public string Issuer { get; }

    /// <summary>The usable (asymmetric signing) keys.</summary>
    public IReadOnlyList<SecurityKey> Keys { get; }

    /// <summary>The <c>kid</c>s of <see cref="Keys"/>.</summary>
    public FrozenSet<string> KeyIds { get; }

    /// <summary>Parameters for <c>JsonWebTokenHandler.ValidateTokenAsync</c>, shared by all requests.</summary>
    public TokenValidationParameters Parameters { get; }

    /// <summary>When the keys were fetched.</summary>
    public DateTimeOffset FetchedAt { get; }
}
