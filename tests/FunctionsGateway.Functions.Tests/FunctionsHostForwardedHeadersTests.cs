using System.Net;
using System.Text.Json;
using FunctionsGateway.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Functions.Tests;

/// <summary>
/// The client address and host the gateway sees in the Functions worker: the worker's forwarded-headers middleware
/// with the options the worker registers and the gateway pins, in a real Kestrel on loopback, sent requests as the
/// Functions host forwards them (from loopback, <c>X-Forwarded-For/Host/Proto</c> set) and as a client trying to
/// spoof them would make them arrive.
/// </summary>
public sealed class FunctionsHostForwardedHeadersTests : IAsyncLifetime
{
    private WebApplication _worker = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        // As ConfigureFunctionsWebApplication registers it, then the gateway's Program.
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.All;
            options.ForwardLimit = null;
        });
        builder.Services.TrustOnlyTheFunctionsHost();
        _worker = builder.Build();
        _worker.UseForwardedHeaders();
        _worker.Run(context => context.Response.WriteAsJsonAsync(new Seen(ClientAddress.TextOf(context), context.Request.Host.Value ?? string.Empty, context.Request.Scheme, context.Request.PathBase.Value)));
        await _worker.StartAsync();
        var address = _worker.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient(new SocketsHttpHandler(), disposeHandler: true) { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _worker.DisposeAsync();
    }

    [Fact]
    public async Task Request_AsTheHostForwardsIt_ClientIsTheForwardedAddressAndHostTheClientsHost()
    {
        var seen = await SendAsync(("X-Forwarded-For", "203.0.113.7:52311"), ("X-Forwarded-Host", "api.contoso.com"), ("X-Forwarded-Proto", "https"));

        Assert.Equal(new Seen("203.0.113.7", "api.contoso.com", "https", string.Empty), seen);
    }

    [Fact]
    public async Task Request_IPv6ClientWithPort_ClientIsTheAddressWithoutThePort()
    {
        var seen = await SendAsync(("X-Forwarded-For", "[2001:db8::7]:52311"));

        Assert.Equal("2001:db8::7", seen.Address);
    }

    [Theory]
    [InlineData("198.51.100.66, 203.0.113.7:52311")]
    [InlineData("127.0.0.1, 203.0.113.7")]
    [InlineData("10.0.0.1,192.168.1.1, 203.0.113.7:52311")]
    public async Task Request_ClientWroteAddressesInFront_OnlyTheLastEntryCounts(string forwardedFor)
    {
        var seen = await SendAsync(("X-Forwarded-For", forwardedFor), ("X-Forwarded-Host", "api.contoso.com"));

        Assert.Equal("203.0.113.7", seen.Address);
    }

    [Fact]
    public async Task Request_ClientOnTheHostsMachineSpoofsAnAddressInFrontOfLoopback_ClientIsLoopbackNotTheSpoof()
    {
        // The last hop is believed and no further, even when it is itself a trusted (loopback) address.
        var seen = await SendAsync(("X-Forwarded-For", "198.51.100.66, 127.0.0.1"));

        Assert.Equal("127.0.0.1", seen.Address);
    }

    [Fact]
    public async Task Request_ClientWroteAHostInFront_HostIsTheOneTheHostForwarded()
    {
        var seen = await SendAsync(("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Host", "admin.internal.example, api.contoso.com"));

        Assert.Equal("api.contoso.com", seen.Host);
    }

    [Fact]
    public async Task Request_WithAForwardedPrefix_PathBaseIsNotTakenFromIt()
    {
        var seen = await SendAsync(("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Prefix", "/admin"));

        Assert.Equal(string.Empty, seen.PathBase);
    }

    [Fact]
    public async Task Request_WithoutForwardedHeaders_ClientIsTheSocketAddress()
    {
        var seen = await SendAsync();

        Assert.Equal("127.0.0.1", seen.Address);
    }

    [Fact]
    public async Task Request_FromAPeerThatIsNotLoopback_ForwardedHeadersAreIgnored()
    {
        var options = new ForwardedHeadersOptions();
        FunctionsHostForwardedHeaders.Apply(options);
        var middleware = new ForwardedHeadersMiddleware(_ => Task.CompletedTask, NullLoggerFactory.Instance, Options.Create(options));
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        context.Request.Host = new HostString("gateway.example");
        context.Request.Headers["X-Forwarded-For"] = "203.0.113.7";
        context.Request.Headers["X-Forwarded-Host"] = "api.contoso.com";

        await middleware.Invoke(context);

        Assert.Equal("10.1.2.3", ClientAddress.TextOf(context));
        Assert.Equal("gateway.example", context.Request.Host.Value);
    }

    [Fact]
    public void Worker_AsProgramConfiguresIt_TrustsOnlyLoopbackOneHopWithoutPrefix()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.ConfigureFunctionsWebApplication();
        builder.Services.TrustOnlyTheFunctionsHost();
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value;

        Assert.Equal(ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedProto, options.ForwardedHeaders);
        Assert.Equal(1, options.ForwardLimit);
        Assert.Equal([IPAddress.IPv6Loopback], options.KnownProxies);
        Assert.Equal(["127.0.0.0/8"], options.KnownIPNetworks.Select(n => n.ToString()));
    }

    private async Task<Seen> SendAsync(params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/1");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<Seen>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
    }

    private sealed record Seen(string Address, string Host, string Scheme, string? PathBase);
}
