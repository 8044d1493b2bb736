using System.Text.Json.Nodes;

namespace FunctionsGateway.Infra.Tests;

public sealed class HostJsonTests
{
    [Fact]
    public void HostJson_Telemetry_IsOpenTelemetry()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryLayout.Root, "host.json")))!;

        Assert.Equal("OpenTelemetry", ArmTemplate.Text(host["telemetryMode"]));
        Assert.Equal(string.Empty, ArmTemplate.Text(host["extensions"]?["http"]?["routePrefix"]));
        Assert.NotNull(host["extensions"]?["http"]?["routePrefix"]);
    }
}
