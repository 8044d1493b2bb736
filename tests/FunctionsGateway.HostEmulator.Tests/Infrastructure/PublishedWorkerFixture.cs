using Azure.Data.Tables;
using FunctionsGateway.Authentication;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.HostEmulator.Tests.Emulator;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.HostEmulator.Tests.Infrastructure;

/// <summary>
/// One published worker under the host emulator for the whole collection, started with infra's app settings over
/// its own Azurite, whose tables were written before start-up (so the first load has every route; no test waits for a
/// refresh). Backends are real Kestrel servers on loopback.
/// </summary>
public sealed class PublishedWorkerFixture : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();

    internal FunctionsHostEmulator Host { get; private set; } = null!;

    public EchoBackend Echo { get; private set; } = null!;

    public HeldResponses Held { get; } = new();

    /// <summary>A valid API key for the <c>/key</c> route.</summary>
    public string ApiKey { get; private set; } = null!;

    public string AzuriteConnectionString => _azurite.ConnectionString;

    public TableClient BackendHealth => new TableServiceClient(AzuriteConnectionString).GetTableClient("BackendHealth");

    private TestBackend Streaming { get; set; } = null!;

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        Echo = await EchoBackend.StartAsync("echo", "http://127.0.0.1:0");
        Streaming = await TestBackend.StartAsync(StreamInTwoPartsAsync);
        await SeedAsync();
        Host = await StartHostAsync(InfraAppSettings.ForEmulator(AzuriteConnectionString));
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        await Streaming.DisposeAsync();
        await Echo.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    /// <summary>Starts another worker (for tests that end it or expect it to fail), failing the test with the worker's output if it does not come up.</summary>
    internal static async Task<FunctionsHostEmulator> StartHostAsync(IReadOnlyDictionary<string, string?> appSettings)
    {
        var (host, failure) = await FunctionsHostEmulator.TryStartAsync(appSettings);
        return host ?? throw new Xunit.Sdk.XunitException(failure);
    }

    /// <summary>Writes "first", then holds the response until the test releases it, then writes "second".</summary>
    private async Task StreamInTwoPartsAsync(HttpContext context)
    {
        await context.Response.WriteAsync("first\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        await Held.HoldAsync(context.RequestAborted);
        await context.Response.WriteAsync("second\n", context.RequestAborted);
    }

    private async Task SeedAsync()
    {
        var service = new TableServiceClient(AzuriteConnectionString);
        foreach (var table in new[] { "Routes", "Backends", "BackendHealth", "RateLimits", "ApiKeys" })
        {
            await service.GetTableClient(table).CreateIfNotExistsAsync();
        }

        var echo = Echo.Url.ToString();
        var routes = service.GetTableClient("Routes");
        await routes.AddEntityAsync(Route("echo", ("Path", "/echo/{**rest}"), ("Backend", echo)));
        await routes.AddEntityAsync(Route("stream", ("Path", "/stream/{**rest}"), ("Backend", Streaming.Url.ToString())));
        await routes.AddEntityAsync(Route("key", ("Path", "/key/{**rest}"), ("Backend", echo), ("Auth", "apikey")));
        await routes.AddEntityAsync(Route("by-ip", ("Path", "/by-ip/{**rest}"), ("Backend", echo), ("RateLimit", "2/1m"), ("RateLimitBy", "ip"), ("RateLimitMode", "exact")));
        await service.GetTableClient("Backends").AddEntityAsync(new TableEntity("probed", "echo") { ["Url"] = echo, ["HealthPath"] = "/health" });

        Assert.True(ApiKeyFactory.TryCreate("emulator-consumer", "gold", null, null, "host emulator tests", TimeProvider.System.GetUtcNow(), out var created, out var error), error);
        await service.GetTableClient("ApiKeys").AddEntityAsync(created!.Entity);
        ApiKey = created.Plaintext;
    }

    private static TableEntity Route(string rowKey, params (string Column, object Value)[] columns)
    {
        var entity = new TableEntity("public", rowKey);
        foreach (var (column, value) in columns)
        {
            entity[column] = value;
        }

        return entity;
    }
}

[CollectionDefinition(Name)]
public sealed class PublishedWorkerCollection : ICollectionFixture<PublishedWorkerFixture>
{
    public const string Name = "Published worker";
}
