using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FunctionsGateway.Infra.Tests;

/// <summary>
/// The alerts and the workbook chart only metrics the gateway creates: a metric renamed or removed in the code, or a typo
/// in a query, would leave a chart empty and an alert silent without any error in Azure.
/// </summary>
public sealed partial class MetricNamesTests
{
    [Fact]
    public void GatewayInstruments_TheServiceCollection_CreatesTheKnownInstruments()
    {
        var names = GatewayInstruments.Names;

        Assert.Contains("gateway.server.request.duration", names);
        Assert.Contains("gateway.backend.health", names);
        Assert.Contains("gateway.ratelimit.rejections", names);
    }

    [Fact]
    public void Alerts_EveryMetricQueried_IsOneTheGatewayCreates()
    {
        var queried = MetricNamesIn(File.ReadAllText(RepositoryLayout.InfraPath("modules/alerts.bicep")));

        Assert.NotEmpty(queried);
        Assert.All(queried, name => Assert.Contains(name, GatewayInstruments.Names));
    }

    [Fact]
    public void Workbook_EveryMetricQueried_IsOneTheGatewayCreates()
    {
        var workbook = JsonNode.Parse(File.ReadAllText(RepositoryLayout.InfraPath("modules/workbook.json")))!;
        var queries = StringsIn(workbook).ToList();

        var queried = queries.SelectMany(MetricNamesIn).Distinct().ToList();

        Assert.True(queried.Count >= 4, $"Expected the workbook to query at least 4 metrics, found {string.Join(", ", queried)}.");
        Assert.All(queried, name => Assert.Contains(name, GatewayInstruments.Names));
    }

    [Theory]
    [InlineData("customMetrics | where name == \"gateway.requests\"", new[] { "gateway.requests" })]
    [InlineData("customMetrics\n| where name in (\"gateway.requests\", \"gateway.request.duration\")", new[] { "gateway.requests", "gateway.request.duration" })]
    [InlineData("requests | where isnotempty(url)", new string[0])]
    public void MetricNamesIn_KqlFilters_FindsEachNamedMetric(string query, string[] expected)
    {
        var found = MetricNamesIn(query);

        Assert.Equal(expected, found);
    }

    [Fact]
    public void MetricNamesIn_AMetricTheGatewayDoesNotCreate_IsCaught()
    {
        var queried = MetricNamesIn("customMetrics | where name == \"gateway.request.count\"");

        Assert.DoesNotContain(Assert.Single(queried), GatewayInstruments.Names);
    }

    // Every string of the workbook: its queries, wherever a part of it keeps one.
    private static IEnumerable<string> StringsIn(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(property => StringsIn(property.Value)),
        JsonArray array => array.SelectMany(StringsIn),
        JsonValue value when value.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    // Metric names as KQL filters name them: name == "x", or name in ("x", "y").
    private static List<string> MetricNamesIn(string query) =>
        [.. MetricFilter().Matches(query).SelectMany(match => QuotedName().Matches(match.Value).Select(name => name.Groups["name"].Value))];

    [GeneratedRegex("""\bname\s*(==\s*"[^"]+"|in\s*\([^)]*\))""")]
    private static partial Regex MetricFilter();

    [GeneratedRegex("\"(?<name>[^\"]+)\"")]
    private static partial Regex QuotedName();
}
