using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using FunctionsGateway.Authentication;
using FunctionsGateway.DevHost.Local;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;
using FunctionsGateway.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsGateway.IntegrationTests.Routing;

/// <summary>
/// Attacks on route matching, over HTTP through the gateway: a request that a protected route turns away for its
/// method, host or headers never reaches a less protected route; method-override headers never reach a backend;
/// a trailing dot in Host changes nothing; the shipped samples keep their protected backend out of anonymous reach.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RouteProtectionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ProtectedRouteWithMethods_DeleteAndHeadBeneathIt_Get405WithAllowAndNothingIsForwarded()
    {
        await using var backend = await RecordingBackend.StartAsync();
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
        {
            await t.AddRouteAsync("admin", ("Path", "/api/admin/{**rest}"), ("Methods", "GET,POST"), ("Auth", "jwt"), ("Backend", backend.Url));
            await t.AddRouteAsync("public", ("Path", "/api/{**rest}"), ("Backend", backend.Url));
        });

        using var delete = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/admin/users/7"));
        using var head = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/admin/export"));
        using var get = await gateway.Client.GetAsync("/api/admin/users/7");
        using var anonymous = await gateway.Client.DeleteAsync("/api/orders/7");

        var problem = await AssertProblemAsync(delete, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Contains("GET, POST", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["GET", "POST"], delete.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, head.StatusCode);
        Assert.Equal(["GET", "POST"], head.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(["DELETE /api/orders/7"], backend.Received);
    }

    [Fact]
    public async Task ProtectedRouteWithHeaderCondition_RequestWithoutTheHeader_Gets404AndNothingIsForwarded()
    {
        await using var backend = await RecordingBackend.StartAsync();
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
        {
            await t.AddRouteAsync("reports-v2", ("Path", "/reports/{**rest}"), ("MatchHeaders", "x-api-version=2"), ("Auth", "apikey"), ("Backend", backend.Url));
            await t.AddRouteAsync("public", ("Path", "/{**rest}"), ("Backend", backend.Url));
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/reports/salaries");
        request.Headers.Add("x-api-version", "1");

        using var response = await gateway.Client.SendAsync(request);
        using var bare = await gateway.Client.GetAsync("/reports/salaries");
        using var elsewhere = await gateway.Client.GetAsync("/about");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "route_not_found");
        await AssertProblemAsync(bare, HttpStatusCode.NotFound, "route_not_found");
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        Assert.Equal(["GET /about"], backend.Received);
    }

    [Fact]
    public async Task ProtectedRouteWithHost_OtherHost_Gets404AndNothingIsForwarded()
    {
        await using var backend = await RecordingBackend.StartAsync();
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
        {
            await t.AddRouteAsync("admin", ("Path", "/admin/{**rest}"), ("Hosts", "admin.contoso.test"), ("Auth", "apikey"), ("Backend", backend.Url));
            await t.AddRouteAsync("site", ("Path", "/{**rest}"), ("Backend", backend.Url));
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/users");
        request.Headers.Host = "www.contoso.test";

        using var response = await gateway.Client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "route_not_found");
        Assert.Empty(backend.Received);
    }

    [Fact]
    public async Task FallbackAsProtectedAsTheRouteAboveIt_StillServesTheRequest()
    {
        await using var backend = await EchoBackend.StartAsync("orders", "http://127.0.0.1:0");
        var apiKeys = new TableServiceClient(azurite.ConnectionString).GetTableClient("ApiKeys" + Guid.NewGuid().ToString("N")[..12]);
        await apiKeys.CreateIfNotExistsAsync();
        Assert.True(ApiKeyFactory.TryCreate("shop", "gold", null, null, "test key", TimeProvider.System.GetUtcNow(), out var key, out var error), error);
        await apiKeys.AddEntityAsync(key!.Entity);
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(
            azurite.ConnectionString,
            async t =>
            {
                await t.AddRouteAsync("special", ("Path", "/orders/special"), ("Methods", "GET"), ("Auth", "apikey"), ("Backend", backend.Url.ToString()));
                await t.AddRouteAsync("order", ("Path", "/orders/{id}"), ("Auth", "apikey"), ("Backend", backend.Url.ToString()));
            },
            new Dictionary<string, string?> { ["Gateway:Tables:ApiKeys"] = apiKeys.Name });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders/special") { Content = new StringContent("{}") };
        request.Headers.Add("X-Api-Key", key.Plaintext);

        var reply = await EchoReply.ReadAsync(await gateway.Client.SendAsync(request));
        using var withoutKey = await gateway.Client.PostAsync("/orders/special", new StringContent("{}"));

        Assert.Equal(("POST", "/orders/special", "shop"), (reply.Method, reply.Path, reply.Headers[IdentityHeaders.Consumer]));
        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
    }

    [Fact]
    public async Task MethodOverrideHeadersInAnySpelling_NeverReachTheBackend()
    {
        await using var backend = await EchoBackend.StartAsync("b", "http://127.0.0.1:0");
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
            await t.AddRouteAsync("all", ("Path", "/{**rest}"), ("Methods", "GET,POST"), ("Backend", backend.Url.ToString())));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders/7") { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("X-HTTP-Method-Override", "DELETE");
        request.Headers.TryAddWithoutValidation("x-http-method", "DELETE");
        request.Headers.TryAddWithoutValidation("X-Method-Override", "PUT");
        request.Headers.TryAddWithoutValidation("X_HTTP_Method_Override", "DELETE");
        request.Headers.TryAddWithoutValidation("X-Other", "kept");

        var reply = await EchoReply.ReadAsync(await gateway.Client.SendAsync(request));

        Assert.Equal("POST", reply.Method);
        Assert.Equal("kept", reply.Headers["X-Other"]);
        string[] overrides = ["X-HTTP-METHOD-OVERRIDE", "X-HTTP-METHOD", "X-METHOD-OVERRIDE"];
        Assert.DoesNotContain(reply.Headers.Keys, name => overrides.Contains(name.Replace('_', '-').ToUpperInvariant()));
    }

    [Theory]
    [InlineData("api.contoso.test.")]
    [InlineData("api.contoso.test.:443")]
    [InlineData("API.contoso.test.")]
    public async Task HostWithTrailingDot_MatchesTheHostsRoutesNotTheAnonymousOnes(string host)
    {
        await using var backend = await RecordingBackend.StartAsync();
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
        {
            await t.AddRouteAsync("admin", ("Path", "/admin"), ("Hosts", "api.contoso.test"), ("Auth", "apikey"), ("Backend", backend.Url));
            await t.AddRouteAsync("site", ("Path", "/{**rest}"), ("Backend", backend.Url));
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Host = host;

        using var response = await gateway.Client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Empty(backend.Received);
    }

    [Fact]
    public async Task StatusListing_AnonymousRouteUnderProtectedRoute_WarnsOnTheAnonymousRoute()
    {
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, async t =>
        {
            await t.AddRouteAsync("admin", ("Path", "/api/admin/{**rest}"), ("Methods", "GET,POST"), ("Auth", "apikey"), ("Backend", "http://127.0.0.1:9"));
            await t.AddRouteAsync("public", ("Path", "/api/{**rest}"), ("Backend", "http://127.0.0.1:9"));
        });

        var status = await gateway.StatusAsync();

        var problem = Assert.Single(status.GetProperty("problems").EnumerateArray());
        Assert.Equal(
            ("warning", "public", "Auth"),
            (problem.GetProperty("severity").GetString(), problem.GetProperty("rowKey").GetString(), problem.GetProperty("column").GetString()));
        Assert.Contains(
            "'public/admin' (Path '/api/admin/{**rest}', Auth apikey), whose path matches the same requests",
            problem.GetProperty("message").GetString(),
            StringComparison.Ordinal);
        Assert.Equal(1, status.GetProperty("warnings").GetInt32());
    }

    [Fact]
    public async Task Samples_LoadedIntoTables_AnonymousRequestsNeverReachTheApiKeyRoutesBackend()
    {
        await using var v1 = await EchoBackend.StartAsync("echo-v1", "http://127.0.0.1:0");
        await using var v2 = await EchoBackend.StartAsync("echo-v2", "http://127.0.0.1:0");
        await using var secure = await EchoBackend.StartAsync("echo-private", "http://127.0.0.1:0");
        await using var gateway = await GatewayUnderTest.StartWithRowsAsync(azurite.ConnectionString, _ => Task.CompletedTask);
        var samples = (await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Samples", "samples.json")))
            .Replace("http://127.0.0.1:7081", Base(v1), StringComparison.Ordinal)
            .Replace("http://127.0.0.1:7082", Base(v2), StringComparison.Ordinal)
            .Replace("http://127.0.0.1:7083", Base(secure), StringComparison.Ordinal);
        var file = Path.Combine(Path.GetTempPath(), $"samples-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, samples);
        await TableSeeder.SeedIfEmptyAsync(gateway.Services.GetRequiredService<GatewayTables>(), file);
        File.Delete(file);
        await gateway.WaitForRoutesAsync(6);

        var versioned = new List<string>();
        var plain = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/echo/data");
            request.Headers.Add("x-api-version", "2");
            versioned.Add((await EchoReply.ReadAsync(await gateway.Client.SendAsync(request))).Service);
            plain.Add((await EchoReply.ReadAsync(await gateway.Client.GetAsync("/echo/data"))).Service);
        }

        using var secureWithoutKey = await gateway.Client.GetAsync("/secure/data");
        using var deleteOrder = await gateway.Client.DeleteAsync("/orders/42");
        var status = await gateway.StatusAsync();

        Assert.All(versioned, service => Assert.Equal("echo-v2", service));
        Assert.DoesNotContain("echo-private", plain);
        await AssertProblemAsync(secureWithoutKey, HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(deleteOrder, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        Assert.Equal(["GET", "PUT"], deleteOrder.Content.Headers.Allow);
        Assert.Equal(0, status.GetProperty("warnings").GetInt32() + status.GetProperty("errors").GetInt32());
    }

    [Fact]
    public void Samples_ApiKeyRoutesBackend_IsNotTheBackendOfAnyAnonymousRoute()
    {
        using var samples = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", "samples.json")));
        var pools = samples.RootElement.GetProperty("Backends").EnumerateArray()
            .GroupBy(b => b.GetProperty("PartitionKey").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(b => new Uri(b.GetProperty("Url").GetString()!).Authority).ToList());
        var routes = samples.RootElement.GetProperty("Routes").EnumerateArray().Select(r => (
            Protected: r.TryGetProperty("Auth", out var auth) && auth.GetString() != "anonymous",
            Backends: r.TryGetProperty("Backend", out var backend) ? [new Uri(backend.GetString()!).Authority]
                : r.TryGetProperty("Pool", out var pool) ? pools[pool.GetString()!] : [])).ToList();

        var protectedBackends = routes.Where(r => r.Protected).SelectMany(r => r.Backends).ToHashSet();
        var anonymousBackends = routes.Where(r => !r.Protected).SelectMany(r => r.Backends).ToHashSet();

        Assert.NotEmpty(protectedBackends);
        Assert.Empty(protectedBackends.Intersect(anonymousBackends));
    }

    private static string Base(EchoBackend backend) => backend.Url.GetLeftPart(UriPartial.Authority);

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    /// <summary>A backend that answers 200 and remembers every request it received, as "METHOD path".</summary>
    private sealed class RecordingBackend : IAsyncDisposable
    {
        private readonly ConcurrentQueue<string> _received = new();
        private TestBackend _backend = null!;

        public string Url => _backend.Url.ToString();

        public IReadOnlyList<string> Received => [.. _received];

        public static async Task<RecordingBackend> StartAsync()
        {
            var recording = new RecordingBackend();
            recording._backend = await TestBackend.StartAsync(context =>
            {
                recording._received.Enqueue($"{context.Request.Method} {context.Request.Path}");
                return Task.CompletedTask;
            });
            return recording;
        }

        public ValueTask DisposeAsync() => _backend.DisposeAsync();
    }
}
