using System.Text.RegularExpressions;
using FunctionsGateway.DevHost.Local;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FunctionsGateway.IntegrationTests.OperatorConsole;

/// <summary>
/// The operator console in a real browser (headless Chromium), against the running DevHost with real routes, backends
/// on loopback and traffic: what an operator sees, not what the JSON says. The page refreshes itself every 2 s, and
/// each expectation waits for it (Playwright retries until its timeout), never a fixed sleep.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConsoleBrowserTests(AzuriteFixture azurite, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    // Two refreshes of the page, or a health verdict (probes every second, two failures) and the row reaching the gateway.
    private static readonly LocatorAssertionsToHaveTextOptions WithinARefresh = new() { Timeout = 10_000 };
    private static readonly LocatorAssertionsToContainTextOptions ContainsWithinARefresh = new() { Timeout = 10_000 };

    [Fact]
    public async Task Console_RoutesAndABadRow_ListsTheRoutesAndShowsTheRowsFix()
    {
        await using var scenario = await Scenario.StartAsync(azurite);
        var message = (await scenario.Gateway.StatusAsync()).GetProperty("problems").EnumerateArray()
            .Single(p => p.GetProperty("rowKey").GetString() == "broken").GetProperty("message").GetString()!;
        var page = await OpenAsync(scenario.Gateway, 1280, 900);

        await Expect(page.Locator("#routes tr[data-route='public/orders'] td").First).ToHaveTextAsync("public/orders", WithinARefresh);
        await Expect(page.Locator("#routes")).ToContainTextAsync("GET /orders/{id} → shop");
        await Expect(page.Locator("#routes")).ToContainTextAsync("public/limited");
        await Expect(page.Locator("#problems li").Filter(new() { HasText = "broken" })).ToContainTextAsync(message);
        await Expect(page.Locator("#problems")).ToContainTextAsync("must start with '/'");
        await Expect(page.Locator("#status")).ToHaveTextAsync("Tables loaded");
    }

    [Fact]
    public async Task Console_BackendKilled_ItsRowTurnsUnhealthy()
    {
        await using var scenario = await Scenario.StartAsync(azurite);
        var page = await OpenAsync(scenario.Gateway, 1280, 900);
        var health = page.Locator("#backends tr[data-backend='shop/b'] .pill").First;
        await Expect(health).ToHaveTextAsync("healthy", WithinARefresh);

        await scenario.ShopB.DisposeAsync();

        await Expect(health).ToHaveTextAsync("unhealthy", WithinARefresh);
        await Expect(page.Locator("#backends tr[data-backend='shop/a'] .pill").First).ToHaveTextAsync("healthy");
    }

    [Fact]
    public async Task Console_TrafficOnARateLimitedRoute_UsageRisesThenRefusalsShow()
    {
        await using var scenario = await Scenario.StartAsync(azurite);
        var page = await OpenAsync(scenario.Gateway, 1280, 900);
        var card = page.Locator("#limits .limit[data-route='public/limited']");
        await Expect(card).ToContainTextAsync("No callers in the last minute.", ContainsWithinARefresh);

        await scenario.SendAsync("/limited/1", 3);
        await Expect(card.Locator(".usage")).ToContainTextAsync("3 req", ContainsWithinARefresh);
        var before = await UsageWidthAsync(card);
        await scenario.SendAsync("/limited/1", 5);

        await Expect(card.Locator(".usage")).ToContainTextAsync("8 req, 3 refused", ContainsWithinARefresh);
        await Expect(card).ToContainTextAsync("5/1m by ip · 3 refused in the last minute");
        Assert.True(await UsageWidthAsync(card) > before, "The usage bar grew with the caller's requests.");
        await Expect(page.Locator("#failures")).ToContainTextAsync("rate_limited");
        await Expect(page.Locator("#routes tr[data-route='public/limited'] svg.spark polyline")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Console_NarrowWindow_RowsStackWithoutSideScrolling_AndScreenshotsAreTaken()
    {
        await using var scenario = await Scenario.StartAsync(azurite);
        await scenario.SendAsync("/orders/1", 20);
        await scenario.SendAsync("/limited/1", 8);
        await scenario.SendAsync("/nowhere", 1);
        await scenario.ShopB.DisposeAsync();
        var wide = await OpenAsync(scenario.Gateway, 1280, 900);
        await Expect(wide.Locator("#backends tr[data-backend='shop/b'] .pill").First).ToHaveTextAsync("unhealthy", WithinARefresh);
        await Expect(wide.Locator("#limits")).ToContainTextAsync("3 refused", ContainsWithinARefresh);

        var narrow = await OpenAsync(scenario.Gateway, 390, 844);
        await Expect(narrow.Locator("#routes")).ToContainTextAsync("public/orders", ContainsWithinARefresh);
        var overflow = await narrow.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");

        Assert.True(overflow <= 0, $"The narrow page is {overflow} px wider than the window.");
        Assert.Equal("none", await narrow.Locator("#routes").EvaluateAsync<string>("e => getComputedStyle(e.closest('table').tHead).display"));
        await ScreenshotAsync(wide, "console-wide.png");
        await ScreenshotAsync(narrow, "console-narrow.png");
    }

    private async Task<IPage> OpenAsync(GatewayUnderTest gateway, int width, int height)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add($"{message.Text} ({message.Location})");
            }
        };
        var response = await page.GotoAsync(new Uri(gateway.BaseAddress, "/_gateway/").ToString());
        Assert.Equal(200, response?.Status);
        await Expect(page.Locator("#updated")).ToContainTextAsync(new Regex("^Updated "), ContainsWithinARefresh);

        // A script or style the Content-Security-Policy blocked, or a script error, shows up here.
        Assert.Empty(errors);
        return page;
    }

    private static Task<double> UsageWidthAsync(ILocator card) =>
        card.Locator(".bar span").First.EvaluateAsync<double>("e => e.getBoundingClientRect().width");

    // Screenshots land next to the tests; with UPDATE_CONSOLE_SCREENSHOTS=1 they also replace those in docs/images.
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000, $"The screenshot {path} is nearly empty.");
        if (Environment.GetEnvironmentVariable("UPDATE_CONSOLE_SCREENSHOTS") == "1")
        {
            var root = RepositoryRoot.Find() ?? throw new InvalidOperationException("UPDATE_CONSOLE_SCREENSHOTS=1 but the repository root was not found.");
            File.Copy(path, Path.Combine(root, "docs", "images", name), overwrite: true);
        }
    }

    /// <summary>
    /// A small gateway an operator might run: pool <c>shop</c> with two probed backends, a route limited to 5 requests a
    /// minute per client address, and a row with a mistake.
    /// </summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private Scenario(GatewayUnderTest gateway, EchoBackend shopA, EchoBackend shopB, EchoBackend reports)
        {
            Gateway = gateway;
            ShopA = shopA;
            ShopB = shopB;
            Reports = reports;
        }

        public GatewayUnderTest Gateway { get; }

        public EchoBackend ShopA { get; }

        public EchoBackend ShopB { get; }

        public EchoBackend Reports { get; }

        public static async Task<Scenario> StartAsync(AzuriteFixture azurite)
        {
            var shopA = await EchoBackend.StartAsync("shop-a", "http://127.0.0.1:0");
            var shopB = await EchoBackend.StartAsync("shop-b", "http://127.0.0.1:0");
            var reports = await EchoBackend.StartAsync("reports", "http://127.0.0.1:0");
            var limits = new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString).GetTableClient("RateLimits" + Guid.NewGuid().ToString("N")[..12]);
            await limits.CreateIfNotExistsAsync();
            var gateway = await GatewayUnderTest.StartWithRowsAsync(
                azurite.ConnectionString,
                tables => Task.WhenAll(
                    tables.AddBackendAsync("shop", "a", ("Url", shopA.Url.ToString()), ("HealthPath", "/health")),
                    tables.AddBackendAsync("shop", "b", ("Url", shopB.Url.ToString()), ("HealthPath", "/health")),
                    tables.AddRouteAsync("orders", ("Path", "/orders/{id}"), ("Methods", "GET"), ("Pool", "shop")),
                    tables.AddRouteAsync("limited", ("Path", "/limited/{id}"), ("Backend", reports.Url.ToString()), ("RateLimit", "5/1m"), ("RateLimitBy", "ip"), ("RateLimitMode", "exact")),
                    tables.AddRouteAsync("broken", ("Path", "orders-without-a-slash"), ("Backend", reports.Url.ToString()))),
                new Dictionary<string, string?>
                {
                    ["Gateway:Tables:RateLimits"] = limits.Name,
                    ["HealthProbeSchedule"] = GatewayUnderTest.ProbeEverySecond,
                    ["Gateway:Health:RowRefreshIntervalSeconds"] = "1",
                    ["Gateway:Health:ProbeTimeoutSeconds"] = "1",
                });
            return new Scenario(gateway, shopA, shopB, reports);
        }

        public async Task SendAsync(string path, int times)
        {
            for (var i = 0; i < times; i++)
            {
                (await Gateway.Client.GetAsync(path)).Dispose();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await ShopA.DisposeAsync();
            await ShopB.DisposeAsync();
            await Reports.DisposeAsync();
        }
    }
}
