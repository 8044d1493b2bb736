using System.Text.Json;
using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsGateway.Functions.Tests;

public class GatewayFunctionTests
{
    [Fact]
    public async Task RunAsync_HandsTheRequestToTheGateway()
    {
        using var services = GatewayWithRoutes(new TableEntity("public", "hello")
        {
            ["Path"] = "/hello", ["ResponseStatus"] = 201, ["ResponseBody"] = "hi", ["ResponseContentType"] = "text/plain",
        });
        var function = ActivatorUtilities.CreateInstance<GatewayFunction>(services);
        var context = NewContext(services, "GET", "/hello");

        var result = await function.RunAsync(context.Request);

        Assert.IsType<EmptyResult>(result);
        Assert.Equal(201, context.Response.StatusCode);
        Assert.Equal("hi", ReadBody(context));
    }

    [Fact]
    public async Task RunAsync_UnknownPath_AnswersProblemJson404()
    {
        using var services = GatewayWithRoutes();
        var function = ActivatorUtilities.CreateInstance<GatewayFunction>(services);
        var context = NewContext(services, "GET", "/nowhere");

        await function.RunAsync(context.Request);

        Assert.Equal(404, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal("route_not_found", JsonDocument.Parse(ReadBody(context)).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task StatusFunction_ListsRowProblems()
    {
        using var services = GatewayWithRoutes(new TableEntity("public", "broken") { ["Path"] = "orders" });
        var function = ActivatorUtilities.CreateInstance<GatewayStatusFunction>(services);
        var context = NewContext(services, "GET", "/_gateway/status");

        await function.RunAsync(context.Request);

        var problem = JsonDocument.Parse(ReadBody(context)).RootElement.GetProperty("problems").EnumerateArray().First(p => p.GetProperty("severity").GetString() == "error");
        Assert.Equal("broken", problem.GetProperty("rowKey").GetString());
        Assert.Equal("Path", problem.GetProperty("column").GetString());
    }

    [Fact]
    public async Task ConsoleDataFunction_ListsRoutesAndRowProblems()
    {
        using var services = GatewayWithRoutes(new TableEntity("public", "broken") { ["Path"] = "orders" });
        var function = ActivatorUtilities.CreateInstance<GatewayConsoleFunction>(services);
        var context = NewContext(services, "GET", "/_gateway/console/data");

        await function.DataAsync(context.Request);

        var data = JsonDocument.Parse(ReadBody(context)).RootElement;
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Assert.Equal("broken", data.GetProperty("problems")[0].GetProperty("rowKey").GetString());
        Assert.Equal(JsonValueKind.Array, data.GetProperty("routes").ValueKind);
    }

    [Fact]
    public async Task ConsoleFunction_WritesThePageWithItsContentSecurityPolicy()
    {
        using var services = GatewayWithRoutes();
        var context = NewContext(services, "GET", "/_gateway");

        await GatewayConsoleFunction.PageAsync(context.Request);

        Assert.Equal("text/html; charset=utf-8", context.Response.ContentType);
        Assert.Contains("FunctionsGateway console", ReadBody(context), StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none'; script-src 'sha256-", context.Response.Headers.ContentSecurityPolicy.ToString(), StringComparison.Ordinal);
    }

    private static ServiceProvider GatewayWithRoutes(params TableEntity[] routes)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:Storage:ConnectionString"] = "UseDevelopmentStorage=true" })
            .Build();
        var services = new ServiceCollection().AddLogging().AddGateway(configuration).BuildServiceProvider();
        var snapshot = GatewaySnapshotBuilder.Build("Routes", routes, "Backends", [], GatewaySnapshot.Empty, DateTimeOffset.UnixEpoch);
        services.GetRequiredService<GatewaySnapshotProvider>().Publish(snapshot);
        return services;
    }

    private static DefaultHttpContext NewContext(IServiceProvider services, string method, string path)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static string ReadBody(HttpContext context)
    {
        context.Response.Body.Position = 0;
        return new StreamReader(context.Response.Body).ReadToEnd();
    }
}
