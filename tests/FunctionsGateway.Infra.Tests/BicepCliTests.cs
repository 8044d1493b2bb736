using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FunctionsGateway.Infra.Tests;

[Collection(BicepCollection.Name)]
public sealed partial class BicepCliTests
{
    private readonly BicepRunsFixture _runs;

    public BicepCliTests(BicepRunsFixture runs)
    {
        _runs = runs;
    }

    public static TheoryData<string> BicepFiles => new(RepositoryLayout.BicepFiles());

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Lint_InfraBicepFile_ReportsNoDiagnostics(string file)
    {
        var diagnostics = _runs.Lint.DiagnosticsFor(RepositoryLayout.InfraPath(file));

        Assert.True(diagnostics.Count == 0, _runs.Lint.Describe());
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Build_InfraBicepFile_WritesArmJsonWithoutDiagnostics(string file)
    {
        var diagnostics = _runs.Build.DiagnosticsFor(RepositoryLayout.InfraPath(file));
        var json = _runs.CompiledJson(file);

        Assert.True(diagnostics.Count == 0, _runs.Build.Describe());
        Assert.True(json is not null, $"No ARM JSON was written for {file}.{Environment.NewLine}{_runs.Build.Describe()}");
        Assert.NotNull(JsonNode.Parse(json)?["resources"]);
    }

    [Fact]
    public void LintAndBuild_InfraFolder_ExitZeroWithNothingOnStandardError()
    {
        Assert.True(_runs.Lint.IsClean, _runs.Lint.Describe());
        Assert.True(_runs.Build.IsClean, _runs.Build.Describe());
    }

    [Fact]
    public void BicepFiles_InfraFolder_HoldMainAndOneModulePerConcern()
    {
        var files = RepositoryLayout.BicepFiles();

        string[] expected =
        [
            "main.bicep", "modules/alerts.bicep", "modules/function-app.bicep", "modules/identity.bicep",
            "modules/monitoring.bicep", "modules/rbac.bicep", "modules/storage.bicep", "modules/workbook.bicep",
        ];
        Assert.All(expected, file => Assert.Contains(file, files));
    }

    [Fact]
    public void Build_Main_TargetsTheSubscriptionScope()
    {
        var template = _runs.MainTemplate();

        Assert.Contains("subscriptionDeploymentTemplate", ArmTemplate.Text(template["$schema"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LintAll_NestedFileWithOnlyAWarning_ReportsItAlthoughTheExitCodeIsZero()
    {
        var directory = Directory.CreateTempSubdirectory("infra-tests-");
        try
        {
            File.Copy(RepositoryLayout.InfraPath("bicepconfig.json"), Path.Combine(directory.FullName, "bicepconfig.json"));
            var file = Path.Combine(Directory.CreateDirectory(Path.Combine(directory.FullName, "modules")).FullName, "warning.bicep");
            await File.WriteAllTextAsync(file, """
                param location string

                resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
                  name: 'id-probe'
                  location: location
                  properties: {
                    notAProperty: true
                  }
                }
                """);

            var lint = await _runs.Cli.LintAllAsync(directory.FullName);

            // The CLI exits 0 on warnings, so the exit code alone would let this through.
            Assert.Equal(0, lint.ExitCode);
            Assert.False(lint.IsClean);
            var diagnostic = Assert.Single(lint.DiagnosticsFor(file));
            Assert.Equal(("Warning", "BCP037"), (diagnostic.Level, diagnostic.Code));
            Assert.Contains("notAProperty", lint.Describe(), StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Sources_Modules_AreLocalFilesNotRegistryReferences()
    {
        var references = RepositoryLayout.BicepFiles()
            .SelectMany(file => ModuleReference().Matches(File.ReadAllText(RepositoryLayout.InfraPath(file)))
                .Select(match => (File: file, Path: match.Groups["path"].Value)))
            .ToList();

        Assert.NotEmpty(references);
        Assert.All(references, reference =>
        {
            Assert.DoesNotMatch("^(br|ts)[:/]", reference.Path);
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(RepositoryLayout.InfraPath(reference.File))!, reference.Path)),
                $"{reference.File} references '{reference.Path}', which is not a file in infra/.");
        });
    }

    [Fact]
    public void BicepConfig_CoreAnalyzers_AreOnAndOnlyDateDependentRulesAreOff()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(RepositoryLayout.InfraPath("bicepconfig.json")));
        var core = config.RootElement.GetProperty("analyzers").GetProperty("core");

        Assert.True(core.GetProperty("enabled").GetBoolean());
        var off = core.GetProperty("rules").EnumerateObject()
            .Where(rule => string.Equals(rule.Value.GetProperty("level").GetString(), "off", StringComparison.Ordinal))
            .Select(rule => rule.Name)
            .Order(StringComparer.Ordinal);
        // Both depend on the date or on a registry, so a green build would turn red on its own.
        Assert.Equal(["use-recent-api-versions", "use-recent-module-versions"], off);
    }

    [GeneratedRegex(@"^\s*module\s+\w+\s+'(?<path>[^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleReference();
}
