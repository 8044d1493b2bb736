using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using FunctionsGateway.Authentication;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Tokens;

namespace FunctionsGateway.Benchmarks;

/// <summary>
/// Validating a bearer token whose signing key is already cached: the per-request cost of JWT
/// authentication (no I/O). Keys come from an in-memory discovery document and JWKS. The Validate*
/// benchmarks check the signature every time (validated-token cache off); <see cref="RepeatedRs256"/>
/// is what a client sending the same token again costs with the cache on (the default).
/// </summary>
[MemoryDiagnoser]
public class JwtValidationBenchmarks : IDisposable
{
    private const string Issuer = "https://issuer.bench/";
    private const string Audience = "api://orders";
    private static readonly string[] Roles = ["Orders.Admin"];

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private JwtValidator _validator = null!;
    private JwtValidator _caching = null!;
    private string _rs256 = null!;
    private string _es256 = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rsaKey = new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "rsa" };
        var ecKey = new ECDsaSecurityKey(ECDsa.Create(_ecdsa.ExportParameters(false))) { KeyId = "ec" };
        var jwks = JsonSerializer.Serialize(new
        {
            keys = new[] { JsonWebKeyConverter.ConvertFromRSASecurityKey(rsaKey), JsonWebKeyConverter.ConvertFromECDsaSecurityKey(ecKey) }
                .Select(k => new Dictionary<string, string?> { ["kty"] = k.Kty, ["kid"] = k.Kid, ["use"] = "sig", ["n"] = k.N, ["e"] = k.E, ["crv"] = k.Crv, ["x"] = k.X, ["y"] = k.Y })
                .Select(d => d.Where(p => p.Value is not null).ToDictionary()),
        });
        var documents = new InMemoryDocuments(new Dictionary<string, string>
        {
            ["https://issuer.bench/.well-known/openid-configuration"] = JsonSerializer.Serialize(new { issuer = Issuer, jwks_uri = "https://issuer.bench/jwks" }),
            ["https://issuer.bench/jwks"] = jwks,
        });
        var issuer = new JwtIssuerOptions { Authority = "https://issuer.bench/" };
        issuer.Audiences.Add(Audience);
        var options = new AuthenticationOptions { ValidatedTokenCacheSeconds = 0 };
        options.Issuers.Add(issuer);
        _validator = new JwtValidator(Options.Create(options), documents, TimeProvider.System, NullLoggerFactory.Instance);
        _validator.WarmUpAsync(CancellationToken.None).GetAwaiter().GetResult();
        var caching = new AuthenticationOptions();
        caching.Issuers.Add(issuer);
        _caching = new JwtValidator(Options.Create(caching), documents, TimeProvider.System, NullLoggerFactory.Instance);
        _caching.WarmUpAsync(CancellationToken.None).GetAwaiter().GetResult();

        _rs256 = Mint(new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = "rsa" }, SecurityAlgorithms.RsaSha256));
        _es256 = Mint(new SigningCredentials(new ECDsaSecurityKey(_ecdsa) { KeyId = "ec" }, SecurityAlgorithms.EcdsaSha256));
        if (!ValidateRs256() || !ValidateEs256() || !RepeatedRs256())
        {
            throw new InvalidOperationException("The benchmark tokens do not validate.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool ValidateRs256() => _validator.ValidateAsync(_rs256, CancellationToken.None).AsTask().GetAwaiter().GetResult().Succeeded;

    [Benchmark]
    public bool ValidateEs256() => _validator.ValidateAsync(_es256, CancellationToken.None).AsTask().GetAwaiter().GetResult().Succeeded;

    [Benchmark]
    public bool RepeatedRs256() => _caching.ValidateAsync(_rs256, CancellationToken.None).AsTask().GetAwaiter().GetResult().Succeeded;

    public void Dispose()
    {
        _rsa.Dispose();
        _ecdsa.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string Mint(SigningCredentials credentials)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddHours(1),
            SigningCredentials = credentials,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "user-42",
                ["azp"] = "client-app",
                ["scp"] = "orders.read orders.write",
                ["roles"] = Roles,
            },
        });
    }

    private sealed class InMemoryDocuments(Dictionary<string, string> documents) : IDocumentRetriever
    {
        public Task<string> GetDocumentAsync(string address, CancellationToken cancel) => Task.FromResult(documents[address]);
    }
}
