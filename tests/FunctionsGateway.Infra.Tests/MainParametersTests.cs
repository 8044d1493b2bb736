using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FunctionsGateway.Infra.Tests;

[Collection(BicepCollection.Name)]
public sealed partial class MainParametersTests
{
    private readonly BicepRunsFixture _runs;

    public MainParametersTests(BicepRunsFixture runs)
    {
        _runs = runs;
    }

    [Fact]
    public void ParametersFile_EveryEntry_IsAParameterOfMain()
    {
        var declared = MainParameters();

        var mapped = ParametersFile();

        Assert.All(mapped, entry => Assert.True(declared.ContainsKey(entry.Key), $"main.parameters.json sets '{entry.Key}', which main.bicep does not declare."));
    }

    [Fact]
    public void ParametersFile_ParametersWithoutDefault_AreAllMapped()
    {
        var required = MainParameters().Where(parameter => parameter.Value?["defaultValue"] is null).Select(parameter => parameter.Key).ToList();

        var mapped = ParametersFile();

        Assert.NotEmpty(required);
        Assert.All(required, name => Assert.True(mapped.ContainsKey(name), $"main.bicep requires '{name}' but main.parameters.json does not set it."));
    }

    [Theory]
    [InlineData("environmentName", "${AZURE_ENV_NAME}")]
    [InlineData("location", "${AZURE_LOCATION}")]
    [InlineData("principalId", "${AZURE_PRINCIPAL_ID}")]
    public void ParametersFile_AzdVariables_MapToTheirParameters(string parameter, string expected)
    {
        var mapped = ParametersFile();

        Assert.Equal(expected, ArmTemplate.Text(mapped[parameter]?["value"]));
    }

    [Fact]
    public void ParametersFile_IntDefaults_AreValidValuesOfTheirParameters()
    {
        // azd turns "${VAR=100}" into the int 100 for an int parameter; a bad default breaks `azd up`.
        var declared = MainParameters();
        var checkedAny = false;

        foreach (var (name, entry) in ParametersFile())
        {
            var parameter = declared[name]!;
            var match = DefaultedVariable().Match(ArmTemplate.Text(entry?["value"]));
            if (!string.Equals(ArmTemplate.Text(parameter["type"]), "int", StringComparison.Ordinal) || !match.Success)
            {
                continue;
            }

            checkedAny = true;
            var text = match.Groups["default"].Value;
            Assert.True(long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value), $"{name}: default '{text}' is not an integer.");
            Assert.True(value >= (parameter["minValue"]?.GetValue<long>() ?? long.MinValue), $"{name}: default {value} is below minValue.");
            Assert.True(value <= (parameter["maxValue"]?.GetValue<long>() ?? long.MaxValue), $"{name}: default {value} is above maxValue.");
            if (parameter["allowedValues"] is JsonArray allowed)
            {
                Assert.Contains(value, allowed.Select(item => item!.GetValue<long>()));
            }
        }

        Assert.True(checkedAny, "No int parameter with a ${VAR=default} mapping was found.");
    }

    [Fact]
    public void Main_ScaleAndScheduleParameters_HaveTheDocumentedDefaults()
    {
        var parameters = MainParameters();

        Assert.Equal("*/30 * * * * *", ArmTemplate.Text(parameters["healthProbeSchedule"]?["defaultValue"]));
        Assert.Equal(0, parameters["alwaysReadyInstanceCount"]?["defaultValue"]?.GetValue<int>());
        Assert.Equal(2048, parameters["instanceMemoryMB"]?["defaultValue"]?.GetValue<int>());
        Assert.Equal(40, parameters["maximumInstanceCount"]?["minValue"]?.GetValue<int>());
        Assert.Equal(1000, parameters["maximumInstanceCount"]?["maxValue"]?.GetValue<int>());
        // Flex's own default is 16 at 2048 MB; an I/O-bound gateway gets more.
        Assert.True(parameters["httpPerInstanceConcurrency"]?["defaultValue"]?.GetValue<int>() > 16);
        Assert.Equal(string.Empty, ArmTemplate.Text(parameters["principalId"]?["defaultValue"]));
        Assert.Equal(string.Empty, ArmTemplate.Text(parameters["alertEmailAddress"]?["defaultValue"]));
    }

    private JsonObject MainParameters() => (JsonObject)_runs.MainTemplate()["parameters"]!;

    private static JsonObject ParametersFile() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(RepositoryLayout.InfraPath("main.parameters.json")))!["parameters"]!;

    [GeneratedRegex(@"^\$\{[A-Z0-9_]+=(?<default>[^}]*)\}$")]
    private static partial Regex DefaultedVariable();
}
