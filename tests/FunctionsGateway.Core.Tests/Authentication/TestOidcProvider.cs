using System.Net;
using System.Text.Json;
using FunctionsGateway.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.Core.Tests.Authentication;

/// <summary>
/// A real OpenID Connect provider on 127.0.0.1 (Kestrel, port 0) serving discovery and a JWKS.
/// Tests publish and rotate its keys, count its requests and take it down.
/// </summary>
internal sealed class TestOidcProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile string _jwks = """{"keys":[]}""";
    private int _discoveryRequests;
    private int _jwksRequests;
    private int _otherRequests;

    private TestOidcProvider(WebApplication app, string authority)
    {
        _app = app;
        Authority = authority;
    }

    /// <summary>The base address, which is also the issuer named in discovery.</summary>
    public string Authority { get; }

    public string Issuer => Authority;

    public string JwksUrl => Authority + "/jwks";

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    /// <summary>Requests to any other path (e.g. an attacker's <c>jku</c> target).</summary>
    public int OtherRequests => Volatile.Read(ref _otherRequests);

    public bool IsDown { get; private set; }

    public static async Task<TestOidcProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        TestOidcProvider? provider = null;
        app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref provider!._discoveryRequests);
            return Results.Text(
                JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["issuer"] = provider.Issuer,
                    ["jwks_uri"] = provider.JwksUrl,
                    ["authorization_endpoint"] = provider.Authority + "/authorize",
                    ["token_endpoint"] = provider.Authority + "/token",
                }),
                "application/json");
        });
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref provider!._jwksRequests);
            return Results.Text(provider._jwks, "application/json");
        });
        app.MapFallback((HttpContext _) =>
        {
            Interlocked.Increment(ref provider!._otherRequests);
            return Results.Text(provider._jwks, "application/json");
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        provider = new TestOidcProvider(app, address.TrimEnd('/'));
        return provider;
    }

    /// <summary>Replaces the published keys.</summary>
    public void Publish(params TestSigningKey[] keys) => PublishJwks(
        JsonSerializer.Serialize(new Dictionary<string, object> { ["keys"] = keys.Select(k => k.ToJwk()).ToArray() }));

    /// <summary>Replaces the JWKS document verbatim.</summary>
    public void PublishJwks(string jwks) => _jwks = jwks;

    /// <summary>Stops the server: connections to it are refused from now on.</summary>
    public async Task TakeDownAsync()
    {
        IsDown = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!IsDown)
        {
            await _app.StopAsync();
        }

        await _app.DisposeAsync();
    }
}
