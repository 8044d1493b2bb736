namespace FunctionsGateway.Functions.Tests;

public class HostJsonTests
{
    [Fact]
    public void HostJson_RemovesTheApiRoutePrefix()
    {
        var hostJson = BuildOutput.ReadJson("host.json");

        Assert.Equal(string.Empty, hostJson.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void HostJson_IsVersion2WithOpenTelemetry()
    {
        var hostJson = BuildOutput.ReadJson("host.json");

        Assert.Equal("2.0", hostJson.GetProperty("version").GetString());
        Assert.Equal("OpenTelemetry", hostJson.GetProperty("telemetryMode").GetString());
    }
}
