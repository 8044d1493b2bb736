namespace FunctionsGateway.Infra.Tests;

public sealed class BicepCliLocatorTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("infra-tests-");

    public void Dispose() => _scratch.Delete(recursive: true);

    [Fact]
    public void FindExecutable_NugetPackagesVariableSet_PrefersIt()
    {
        var variableRoot = FakePackageRoot("variable");
        var homeRoot = FakePackageRoot(Path.Combine("home", ".nuget", "packages"));

        var found = BicepCli.FindExecutable(variableRoot, null, Path.Combine(_scratch.FullName, "home"), "1.2.3");

        Assert.Equal(Path.Combine(variableRoot, BicepCli.PackageFolderName, "1.2.3", "tools", "bicep"), found);
        Assert.True(File.Exists(Path.Combine(homeRoot, BicepCli.PackageFolderName, "1.2.3", "tools", "bicep")));
    }

    [Fact]
    public void FindExecutable_OnlyTheHomeCacheHasIt_FindsItThere()
    {
        var homeRoot = FakePackageRoot(Path.Combine("home", ".nuget", "packages"));

        var found = BicepCli.FindExecutable(Path.Combine(_scratch.FullName, "empty"), null, Path.Combine(_scratch.FullName, "home"), "1.2.3");

        Assert.Equal(Path.Combine(homeRoot, BicepCli.PackageFolderName, "1.2.3", "tools", "bicep"), found);
    }

    [Fact]
    public void FindExecutable_NotRestored_ThrowsNamingEveryPlaceSearched()
    {
        var error = Assert.Throws<FileNotFoundException>(
            () => BicepCli.FindExecutable(Path.Combine(_scratch.FullName, "a"), Path.Combine(_scratch.FullName, "b"), Path.Combine(_scratch.FullName, "home"), "1.2.3"));

        Assert.Contains(Path.Combine(_scratch.FullName, "a"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_scratch.FullName, "b"), error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_scratch.FullName, "home", ".nuget", "packages"), error.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet restore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureExecutable_ExecuteBitMissing_SetsIt()
    {
        var file = Path.Combine(_scratch.FullName, "bicep");
        File.WriteAllText(file, "#!/bin/sh\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        BicepCli.EnsureExecutable(file);

        Assert.True((File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0);
        Assert.True((File.GetUnixFileMode(file) & UnixFileMode.UserRead) != 0);
    }

    [Fact]
    public void Locate_RestoredPackage_RunsTheDownloadedVersion()
    {
        var cli = BicepCli.Locate();

        Assert.EndsWith(Path.Combine(BicepCli.PackageFolderName, BicepCli.Version, "tools", "bicep"), cli.ExecutablePath, StringComparison.Ordinal);
        Assert.True((File.GetUnixFileMode(cli.ExecutablePath) & UnixFileMode.UserExecute) != 0);
    }

    private string FakePackageRoot(string relative)
    {
        var root = Path.Combine(_scratch.FullName, relative);
        var tools = Directory.CreateDirectory(Path.Combine(root, BicepCli.PackageFolderName, "1.2.3", "tools"));
        File.WriteAllText(Path.Combine(tools.FullName, "bicep"), "fake");
        return root;
    }
}
