namespace FunctionsGateway.Functions.Tests;

public class FunctionsMetadataTests
{
    [Fact]
    public void Gateway_IsAnonymousCatchAllForEveryUsualMethod()
    {
        var trigger = BuildOutput.Trigger("Gateway");

        Assert.Equal("{*path}", trigger.GetProperty("route").GetString());
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(
            ["delete", "get", "head", "options", "patch", "post", "put"],
            trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).Order());
    }

    [Fact]
    public void GatewayStatus_NeedsAFunctionKey()
    {
        var trigger = BuildOutput.Trigger("GatewayStatus");

        Assert.Equal("_gateway/status", trigger.GetProperty("route").GetString());
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!));
    }

    [Theory]
    [InlineData("GatewayConsole", "_gateway")]
    [InlineData("GatewayConsoleData", "_gateway/console/data")]
    public void OperatorConsole_NeedsAFunctionKeyLikeTheStatusListing(string function, string route)
    {
        var trigger = BuildOutput.Trigger(function);

        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal("Function", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!));
    }

    [Fact]
    public void HealthProbe_RunsOnTheScheduleInTheHealthProbeScheduleAppSetting()
    {
        var bindings = BuildOutput.Function("HealthProbe").GetProperty("bindings").EnumerateArray().ToList();

        var trigger = Assert.Single(bindings);
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("In", trigger.GetProperty("direction").GetString());
        Assert.Equal("%HealthProbeSchedule%", trigger.GetProperty("schedule").GetString());
    }

    [Fact]
    public void Routes_NeverStartWithTheHostsReservedWords()
    {
        var routes = BuildOutput.ReadJson("functions.metadata").EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Where(b => b.TryGetProperty("route", out _))
            .Select(b => b.GetProperty("route").GetString()!)
            .ToList();

        Assert.NotEmpty(routes);
        Assert.All(routes, route => Assert.False(
            route.StartsWith("admin", StringComparison.OrdinalIgnoreCase) || route.StartsWith("runtime", StringComparison.OrdinalIgnoreCase),
            $"The Functions host rejects routes starting with 'admin' or 'runtime': {route}"));
    }

    [Fact]
    public void Functions_AreIsolatedWorkerFunctionsOfThisAssembly()
    {
        var functions = BuildOutput.ReadJson("functions.metadata").EnumerateArray().ToList();

        Assert.Equal(["Gateway", "GatewayConsole", "GatewayConsoleData", "GatewayStatus", "HealthProbe"], functions.Select(f => f.GetProperty("name").GetString()!).Order());
        Assert.All(functions, f =>
        {
            Assert.Equal("dotnet-isolated", f.GetProperty("language").GetString());
            Assert.Equal("FunctionsGateway.Functions.dll", f.GetProperty("scriptFile").GetString());
        });
    }

    [Fact]
    public void WorkerConfig_DescribesADotnetIsolatedWorker()
    {
        var description = BuildOutput.ReadJson("worker.config.json").GetProperty("description");

        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("FunctionsGateway.Functions.dll", description.GetProperty("defaultWorkerPath").GetString());
    }

    [Fact]
    public void ExtensionsJson_IsGenerated()
    {
        var extensions = BuildOutput.ReadJson("extensions.json").GetProperty("extensions");

        Assert.True(extensions.GetArrayLength() > 0);
    }
}
