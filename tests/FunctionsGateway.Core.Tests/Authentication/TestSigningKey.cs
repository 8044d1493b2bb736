using System.Security.Cryptography;
using FunctionsGateway.Authentication;
using Microsoft.IdentityModel.Tokens;

namespace FunctionsGateway.Core.Tests.Authentication;

/// <summary>An RSA or ECDSA key pair the tests sign tokens with and publish in a JWKS.</summary>
internal sealed class TestSigningKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;

    private TestSigningKey(string kid, string algorithm, RSA? rsa, ECDsa? ecdsa)
    {
        Kid = kid;
        Algorithm = algorithm;
        _rsa = rsa;
        _ecdsa = ecdsa;
    }

    public string Kid { get; }

    public string Algorithm { get; }

    public static TestSigningKey Rsa(string kid) => new(kid, "RS256", RSA.Create(2048), null);

    public static TestSigningKey Ec(string kid) => new(kid, "ES256", null, ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The public key as a JWK object, ready to serialize into a JWKS.</summary>
    public Dictionary<string, string> ToJwk()
    {
        if (_rsa is not null)
        {
            var p = _rsa.ExportParameters(includePrivateParameters: false);
            return new()
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = Algorithm,
                ["kid"] = Kid,
                ["n"] = Base64UrlEncoder.Encode(p.Modulus),
                ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            };
        }

        var q = _ecdsa!.ExportParameters(includePrivateParameters: false);
        return new()
        {
            ["kty"] = "EC",
            ["use"] = "sig",
            ["alg"] = Algorithm,
            ["kid"] = Kid,
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(q.Q.X),
            ["y"] = Base64UrlEncoder.Encode(q.Q.Y),
        };
    }

    /// <summary>The public key in the form an HS/RS confusion attack uses as the HMAC secret.</summary>
    public byte[] PublicKeyBytes() =>
        _rsa is not null ? _rsa.ExportSubjectPublicKeyInfo() : _ecdsa!.ExportSubjectPublicKeyInfo();

    public byte[] Sign(byte[] data) =>
        _rsa is not null
            ? _rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : _ecdsa!.SignData(data, HashAlgorithmName.SHA256);

    public void Dispose()
    {
        _rsa?.Dispose();
        _ecdsa?.Dispose();
    }
}
