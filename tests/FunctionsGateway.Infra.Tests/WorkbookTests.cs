using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FunctionsGateway.Infra.Tests;

public sealed partial class WorkbookTests
{
    private static readonly JsonNode Workbook = JsonNode.Parse(File.ReadAllText(RepositoryLayout.InfraPath("modules/workbook.json")))!;

    [Fact]
    public void Workbook_Format_IsANotebookWithParametersAndQueries()
    {
        Assert.Equal("Notebook/1.0", ArmTemplate.Text(Workbook["version"]));

        Assert.Equal(["TimeRange", "Route", "Backend"], ParameterNames());
        Assert.True(QueryItems().Count >= 10, $"Expected at least 10 query items, found {QueryItems().Count}.");
    }

    [Theory]
    [InlineData("gateway.requests")]
    [InlineData("gateway.request.duration")]
    [InlineData("gateway.ratelimit.rejections")]
    [InlineData("gateway.backend.health")]
    public void Workbook_Queries_ChartEveryGatewayMetric(string metric)
    {
        var charts = QueryItems().Where(item => Query(item).Contains($"\"{metric}\"", StringComparison.Ordinal)
            && string.Equals(ArmTemplate.Text(item["content"]?["visualization"]), "timechart", StringComparison.Ordinal));

        Assert.NotEmpty(charts);
    }

    [Theory]
    [InlineData("gateway.requests", "route")]
    [InlineData("gateway.requests", "backend")]
    [InlineData("gateway.request.duration", "route")]
    [InlineData("gateway.request.duration", "backend")]
    [InlineData("gateway.ratelimit.rejections", "route")]
    public void Workbook_Queries_SplitMetricsByRouteAndBackend(string metric, string dimension)
    {
        var split = QueryItems().Select(Query).Where(query =>
            query.Contains($"\"{metric}\"", StringComparison.Ordinal)
            && query.Contains($"by {dimension}, bin(timestamp", StringComparison.Ordinal));

        Assert.NotEmpty(split);
    }

    [Fact]
    public void Workbook_ErrorRateQueries_CountServerErrorsPerRouteAndBackend()
    {
        var errorRates = QueryItems().Select(Query).Where(query => query.Contains("ErrorRatePercent", StringComparison.Ordinal)).ToList();

        Assert.Contains(errorRates, query => query.Contains("by route, bin(timestamp", StringComparison.Ordinal));
        Assert.Contains(errorRates, query => query.Contains("by backend, bin(timestamp", StringComparison.Ordinal));
        Assert.All(errorRates, query => Assert.Contains("status >= 500", query, StringComparison.Ordinal));
    }

    [Fact]
    public void Workbook_Queries_RunOverTheTimeRangeAgainstApplicationInsights()
    {
        Assert.All(QueryItems(), item =>
        {
            Assert.Equal("TimeRange", ArmTemplate.Text(item["content"]?["timeContextFromParameter"]));
            Assert.Equal("microsoft.insights/components", ArmTemplate.Text(item["content"]?["resourceType"]));
        });
    }

    [Fact]
    public void Workbook_Queries_ReferenceOnlyDeclaredParameters()
    {
        var declared = ParameterNames().ToHashSet(StringComparer.Ordinal);
        var queries = QueryItems().Select(Query).Concat(ParameterQueries());

        var referenced = queries.SelectMany(query => ParameterReference().Matches(query).Select(match => match.Groups["name"].Value)).ToList();

        Assert.NotEmpty(referenced);
        Assert.All(referenced, name => Assert.Contains(name, declared));
    }

    [Fact]
    public void Workbook_Queries_HaveBalancedBracketsAndQuotes()
    {
        Assert.All(QueryItems().Select(Query).Concat(ParameterQueries()), query =>
        {
            var withoutStrings = StringLiteral().Replace(query, string.Empty);
            Assert.DoesNotContain("\"", withoutStrings, StringComparison.Ordinal);
            Assert.Equal(withoutStrings.Count(c => c == '('), withoutStrings.Count(c => c == ')'));
            Assert.Equal(withoutStrings.Count(c => c == '{'), withoutStrings.Count(c => c == '}'));
        });
    }

    [Fact]
    public void WorkbookModule_SerializedData_IsWorkbookJsonWithTheComponentAsFallback()
    {
        var module = File.ReadAllText(RepositoryLayout.InfraPath("modules/workbook.bicep"));

        Assert.Contains("loadJsonContent('workbook.json')", module, StringComparison.Ordinal);
        Assert.Contains("fallbackResourceIds", module, StringComparison.Ordinal);
    }

    private static List<JsonNode> QueryItems() =>
        ((JsonArray)Workbook["items"]!).OfType<JsonNode>().Where(item => item["type"]?.GetValue<int>() == 3).ToList();

    private static string Query(JsonNode item) => ArmTemplate.Text(item["content"]?["query"]);

    private static List<JsonNode> Parameters() =>
        ((JsonArray)Workbook["items"]!).OfType<JsonNode>()
            .Where(item => item["type"]?.GetValue<int>() == 9)
            .SelectMany(item => ((JsonArray)item["content"]!["parameters"]!).OfType<JsonNode>())
            .ToList();

    private static List<string> ParameterNames() => Parameters().Select(parameter => ArmTemplate.Text(parameter["name"])).ToList();

    private static IEnumerable<string> ParameterQueries() =>
        Parameters().Select(parameter => ArmTemplate.Text(parameter["query"])).Where(query => query.Length > 0);

    // {Route}, {TimeRange:grain}
    [GeneratedRegex(@"\{(?<name>[A-Za-z]+)(:[a-z]+)?\}")]
    private static partial Regex ParameterReference();

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex StringLiteral();
}
