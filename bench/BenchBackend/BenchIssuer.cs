using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

/// <summary>
/// A stand-in token issuer for the JWT benchmark: an RSA key made at start, its JWKS at <c>/jwks</c> and a
/// signed RS256 token (issuer and audience <c>bench</c>, valid for an hour) at <c>/token</c>. The gateway
/// fetches the JWKS once and caches it, so serving it here costs the measurement nothing.
/// </summary>
internal sealed class BenchIssuer : IDisposable
{
    public const string Name = "bench";

    private readonly RSA _key = RSA.Create(2048);

    public string Jwks()
    {
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        return JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = "RS256", kid = Name, n = Base64Url(parameters.Modulus!), e = Base64Url(parameters.Exponent!) },
            },
        });
    }

    public string Token(DateTimeOffset now)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "RS256", typ = "JWT", kid = Name }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new
        {
            iss = Name,
            aud = Name,
            sub = "bench-user",
            azp = "bench-client",
            scp = "bench.read",
            iat = now.ToUnixTimeSeconds(),
            nbf = now.ToUnixTimeSeconds() - 60,
            exp = now.AddHours(1).ToUnixTimeSeconds(),
        }));
        var signature = _key.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    public void Dispose() => _key.Dispose();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
