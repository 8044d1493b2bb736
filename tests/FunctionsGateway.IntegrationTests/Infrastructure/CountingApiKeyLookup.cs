using System.Collections.Concurrent;
using FunctionsGateway.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Wraps the gateway's real API-key lookup (the ApiKeys table in Azurite) to count the storage reads it makes,
/// and can hold them, the way slow storage would.
/// </summary>
internal sealed class CountingApiKeyLookup(IApiKeyLookup inner) : IApiKeyLookup
{
    private readonly ConcurrentQueue<string> _hashes = new();

    /// <summary>The hashes read from storage, in the order the reads began.</summary>
    public IReadOnlyList<string> Hashes => [.. _hashes];

    /// <summary>When set, reads wait for it before they reach storage.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>
    /// Replaces the lookup the gateway registered with a counting one around it; the gateway's
    /// <see cref="GatewayUnderTest.Services"/> then resolve <see cref="IApiKeyLookup"/> to it.
    /// </summary>
    public static void Install(IServiceCollection services)
    {
        var real = services.Last(d => d.ServiceType == typeof(IApiKeyLookup));
        var create = real.ImplementationFactory ?? throw new InvalidOperationException("The gateway no longer registers its API-key lookup with a factory; adapt CountingApiKeyLookup.Install.");
        services.Remove(real);
        services.AddSingleton<IApiKeyLookup>(provider => new CountingApiKeyLookup((IApiKeyLookup)create(provider)));
    }

    /// <summary>The counting lookup the running gateway uses.</summary>
    public static CountingApiKeyLookup Of(GatewayUnderTest gateway) =>
        (CountingApiKeyLookup)gateway.Services.GetRequiredService<IApiKeyLookup>();

    public async ValueTask<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken)
    {
        _hashes.Enqueue(keyHash);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return await inner.FindAsync(keyHash, cancellationToken);
    }
}
