using System.Net.Sockets;
using System.Text;
using Azure.Data.Tables;
using FunctionsGateway.DevHost;
using FunctionsGateway.DevHost.Local;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.IntegrationTests.DevHost;

/// <summary>
/// What the DevHost refuses before the gateway runs: TRACE, CONNECT and any method the Functions trigger does not bind, oversized or too many headers, clients
/// too slow to send their headers. And what it prepares on start: the tables in local storage.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DevHostLimitsTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("TRACE /anything HTTP/1.1\nHost: gateway.test\nCookie: session=secret\n\n")]
    [InlineData("CONNECT backend.test:443 HTTP/1.1\nHost: backend.test:443\n\n")]
    [InlineData("PROPFIND /anything HTTP/1.1\nHost: gateway.test\nDepth: 1\n\n")]
    [InlineData("BREW /anything HTTP/1.1\nHost: gateway.test\n\n")]
    public async Task MethodTheFunctionsTriggerDoesNotBind_Is405WithAllow_AndNeverReachesABackend(string request)
    {
        var backendCalls = 0;
        await using var backend = await TestBackend.StartAsync(_ =>
        {
            Interlocked.Increment(ref backendCalls);
            return Task.CompletedTask;
        });
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString,
            t => t.AddRouteAsync("all", ("Path", "/{**rest}"), ("Backend", backend.Url.ToString())));

        var response = await RawHttp.SendAsync(gateway.BaseAddress, request);

        Assert.StartsWith("HTTP/1.1 405", response, StringComparison.Ordinal);
        Assert.Contains("Allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS", response, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", response, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"method_not_allowed\"", response, StringComparison.Ordinal);
        Assert.DoesNotContain("session=secret", response, StringComparison.Ordinal);
        Assert.Equal(0, backendCalls);
    }

    [Fact]
    public async Task HeadersLargerThan32KiB_Are431()
    {
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, _ => Task.CompletedTask);

        var response = await RawHttp.SendAsync(gateway.BaseAddress,
            $"GET /orders HTTP/1.1\nHost: gateway.test\nX-Big: {new string('a', 40 * 1024)}\n\n");

        Assert.StartsWith("HTTP/1.1 431", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeaderCountOverAnOverriddenLimit_Is431_AndWithinItIsServed()
    {
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, _ => Task.CompletedTask,
            new Dictionary<string, string?> { ["Kestrel:Limits:MaxRequestHeaderCount"] = "5" });

        var tooMany = await RawHttp.SendAsync(gateway.BaseAddress,
            "GET /orders HTTP/1.1\nHost: gateway.test\n" + string.Concat(Enumerable.Range(0, 6).Select(i => $"X-H{i}: {i}\n")) + "\n");
        var fewEnough = await RawHttp.SendAsync(gateway.BaseAddress, "GET /orders HTTP/1.1\nHost: gateway.test\nX-H1: 1\n\n");

        Assert.StartsWith("HTTP/1.1 431", tooMany, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404", fewEnough, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientTooSlowToSendItsHeaders_IsDisconnected()
    {
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, _ => Task.CompletedTask,
            new Dictionary<string, string?> { ["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:01" });
        using var client = new TcpClient();
        using var testTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.ConnectAsync(gateway.BaseAddress.Host, gateway.BaseAddress.Port, testTimeout.Token);
        var stream = client.GetStream();

        // The head never ends: no blank line.
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /orders HTTP/1.1\r\nHost: gateway.test\r\n"), testTimeout.Token);
        var received = await ReadUntilClosedAsync(stream, testTimeout.Token);

        Assert.True(received.Length == 0 || received.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), received);
    }

    [Fact]
    public void CreateBuilder_NoKestrelSettings_AppliesTheDocumentedLimits()
    {
        var limits = Build([]).Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(1000, limits.MaxConcurrentConnections);
        Assert.Equal(32 * 1024, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(100, limits.MaxRequestHeaderCount);
        Assert.Equal(8 * 1024, limits.MaxRequestLineSize);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), limits.KeepAliveTimeout);
        Assert.Equal(240, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), limits.MinRequestBodyDataRate.GracePeriod);
        Assert.Null(limits.MaxRequestBodySize);
    }

    [Fact]
    public void CreateBuilder_KestrelLimitsSettings_OverrideTheDefaults()
    {
        var limits = Build([
            "--Kestrel:Limits:MaxConcurrentConnections=7", "--Kestrel:Limits:MaxRequestHeadersTotalSize=4096",
            "--Kestrel:Limits:MaxRequestLineSize=2048", "--Kestrel:Limits:KeepAliveTimeout=00:00:30",
            "--Kestrel:Limits:MinRequestBodyDataRate:BytesPerSecond=1000", "--Kestrel:Limits:MinRequestBodyDataRate:GracePeriod=00:00:02",
        ]).Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(7, limits.MaxConcurrentConnections);
        Assert.Equal(4096, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(2048, limits.MaxRequestLineSize);
        Assert.Equal(TimeSpan.FromSeconds(30), limits.KeepAliveTimeout);
        Assert.Equal(1000, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(2), limits.MinRequestBodyDataRate.GracePeriod);
    }

    [Fact]
    public async Task CreateMissing_FreshLocalStorage_CreatesEveryTableTheSettingsName()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        string[] names = ["NewRoutes" + suffix, "NewBackends" + suffix, "NewHealth" + suffix, "NewKeys" + suffix, "NewLimits" + suffix, "NewLastValid" + suffix];
        await using var app = Build([
            $"--Gateway:Storage:ConnectionString={azurite.ConnectionString}",
            $"--Gateway:Tables:Routes={names[0]}", $"--Gateway:Tables:Backends={names[1]}", $"--Gateway:Tables:BackendHealth={names[2]}",
            $"--Gateway:Tables:ApiKeys={names[3]}", $"--Gateway:Tables:RateLimits={names[4]}", $"--Gateway:Tables:LastValidRows={names[5]}",
        ]);

        var created = await LocalTables.CreateMissingAsync(app.Services);

        Assert.True(created);
        var service = new TableServiceClient(azurite.ConnectionString);
        foreach (var name in names)
        {
            Assert.Single(service.Query(t => t.Name == name));
        }
    }

    [Fact]
    public async Task CreateMissing_TablesInAzureBehindAManagedIdentity_AreLeftToProvisioning()
    {
        await using var app = Build(["--Gateway:Storage:ConnectionString=", "--Gateway:Storage:TableEndpoint=https://account.table.core.windows.net/"]);

        var created = await LocalTables.CreateMissingAsync(app.Services);

        Assert.False(created);
    }

    private static WebApplication Build(string[] args)
    {
        var builder = GatewayDevHost.CreateBuilder([.. args, "--urls", "http://127.0.0.1:0"]);
        if (!args.Any(a => a.StartsWith("--Gateway:Storage", StringComparison.Ordinal)))
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Storage:ConnectionString"] = "UseDevelopmentStorage=true" });
        }

        return GatewayDevHost.Build(builder);
    }

    private static async Task<string> ReadUntilClosedAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (IOException)
        {
            // Reset by the server: closed as well.
        }

        return received.ToString();
    }
}
