using System.Text.Json.Nodes;

namespace FunctionsGateway.Infra.Tests;

/// <summary>
/// Lints and builds every .bicep file under infra/ once (one CLI process each, side by side) and
/// shares the results with the tests of the "Bicep" collection.
/// </summary>
public sealed class BicepRunsFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _outDirectory = Directory.CreateTempSubdirectory("infra-tests-arm-");

    internal BicepCli Cli { get; } = BicepCli.Locate();

    internal BicepRun Lint { get; private set; } = null!;

    internal BicepRun Build { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var lint = Cli.LintAllAsync(RepositoryLayout.InfraDirectory);
        var build = Cli.BuildAllAsync(RepositoryLayout.InfraDirectory, _outDirectory.FullName);
        Lint = await lint.ConfigureAwait(false);
        Build = await build.ConfigureAwait(false);
    }

    public Task DisposeAsync()
    {
        _outDirectory.Delete(recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>The compiled ARM JSON of one infra file (path relative to infra/), or null if none was written.</summary>
    internal string? CompiledJson(string relativePath)
    {
        var path = Path.Combine(_outDirectory.FullName, Path.ChangeExtension(relativePath, ".json"));
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    /// <summary>The compiled infra/main.bicep; fails with the diagnostics if it did not build cleanly.</summary>
    internal JsonNode MainTemplate()
    {
        var main = RepositoryLayout.InfraPath("main.bicep");
        Assert.True(Build.DiagnosticsFor(main).Count == 0 && Build.OtherErrorLines.Count == 0, Build.Describe());
        var json = CompiledJson("main.bicep");
        Assert.True(json is not null, $"bicep build wrote no main.json.{Environment.NewLine}{Build.Describe()}");
        return JsonNode.Parse(json) ?? throw new InvalidOperationException("bicep build wrote an empty main.json.");
    }
}
