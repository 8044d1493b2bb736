using BenchmarkDotNet.Attributes;
using FunctionsGateway.Authentication;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Benchmarks;

/// <summary>
/// An API key that is in the cache: hashing the presented key and one dictionary lookup, no I/O.
/// </summary>
[MemoryDiagnoser]
public class ApiKeyBenchmarks
{
    private ApiKeyAuthenticator _authenticator = null!;
    private string _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = ApiKeyFactory.Generate();
        var record = new ApiKeyRecord { Hash = ApiKeyHasher.Hash(_key), Consumer = "contoso", Plan = "gold", Scopes = ["orders.read"] };
        var options = new AuthenticationOptions { ApiKeyCacheSeconds = 3600 };
        _authenticator = new ApiKeyAuthenticator(new OneKey(record), Options.Create(options), TimeProvider.System, NullLogger<ApiKeyAuthenticator>.Instance);
        if (!_authenticator.AuthenticateAsync(_key, CancellationToken.None).AsTask().GetAwaiter().GetResult().Succeeded)
        {
            throw new InvalidOperationException("The benchmark key does not authenticate.");
        }
    }

    [Benchmark]
    public bool CacheHit()
    {
        var pending = _authenticator.AuthenticateAsync(_key, CancellationToken.None);
        return pending.IsCompletedSuccessfully ? pending.Result.Succeeded : throw new InvalidOperationException("A cache hit must complete synchronously.");
    }

    [Benchmark]
    public string HashOnly() => ApiKeyHasher.Hash(_key);

    private sealed class OneKey(ApiKeyRecord record) : IApiKeyLookup
    {
        public ValueTask<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ApiKeyRecord?>(keyHash == record.Hash ? record : null);
    }
}
