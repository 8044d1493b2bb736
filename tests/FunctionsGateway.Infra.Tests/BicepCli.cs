using System.Diagnostics;
using System.Reflection;

namespace FunctionsGateway.Infra.Tests;

/// <summary>
/// The Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64 (a PackageDownload of
/// this project), at <c>&lt;packages&gt;/azure.bicep.commandline.linux-x64/&lt;version&gt;/tools/bicep</c>.
/// </summary>
internal sealed class BicepCli
{
    public const string PackageFolderName = "azure.bicep.commandline.linux-x64";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public BicepCli(string executablePath)
    {
        ExecutablePath = executablePath;
    }

    public string ExecutablePath { get; }

    /// <summary>The version this project downloads (BicepCliVersion in the csproj).</summary>
    public static string Version => BuildMetadata("BicepCliVersion")
        ?? throw new InvalidOperationException("The test assembly has no BicepCliVersion metadata; see the csproj.");

    /// <summary>Finds the CLI in the NuGet packages folder and makes sure it can be executed.</summary>
    public static BicepCli Locate()
    {
        var path = FindExecutable(
            Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
            BuildMetadata("NuGetPackageRoot"),
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            Version);
        EnsureExecutable(path);
        return new BicepCli(path);
    }

    /// <summary>
    /// Looks in NUGET_PACKAGES, then in the folder restore used for this project, then in
    /// ~/.nuget/packages, and returns the first tools/bicep that exists.
    /// </summary>
    public static string FindExecutable(string? nugetPackagesVariable, string? restorePackageRoot, string userProfile, string version)
    {
        var roots = new List<string>();
        if (!string.IsNullOrWhiteSpace(nugetPackagesVariable))
        {
            roots.Add(nugetPackagesVariable);
        }

        if (!string.IsNullOrWhiteSpace(restorePackageRoot))
        {
            roots.Add(restorePackageRoot);
        }

        roots.Add(Path.Combine(userProfile, ".nuget", "packages"));

        var candidates = roots
            .Select(root => Path.Combine(root, PackageFolderName, version, "tools", "bicep"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var found = candidates.FirstOrDefault(File.Exists);
        return found ?? throw new FileNotFoundException(
            $"The Bicep CLI {version} is not in the NuGet packages folder; restore this project first " +
            $"(dotnet restore tests/FunctionsGateway.Infra.Tests). Looked for: {string.Join(", ", candidates)}");
    }

    /// <summary>NuGet extraction can drop the execute bit; put it back.</summary>
    public static void EnsureExecutable(string path)
    {
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }
    }

    /// <summary>
    /// <c>bicep lint --pattern &lt;directory&gt;/**/*.bicep</c>: linter rules and compiler diagnostics
    /// for every .bicep file under <paramref name="directory"/>, in one process (each start of the
    /// CLI costs seconds).
    /// </summary>
    public Task<BicepRun> LintAllAsync(string directory, CancellationToken cancellationToken = default) =>
        RunAsync(["lint", "--pattern", AllBicepFiles(directory)], cancellationToken);

    /// <summary>
    /// <c>bicep build --pattern &lt;directory&gt;/**/*.bicep --outdir &lt;outDirectory&gt;</c>: the ARM
    /// JSON of every .bicep file, at the same relative path with the extension .json.
    /// </summary>
    public Task<BicepRun> BuildAllAsync(string directory, string outDirectory, CancellationToken cancellationToken = default) =>
        RunAsync(["build", "--pattern", AllBicepFiles(directory), "--outdir", outDirectory], cancellationToken);

    private static string AllBicepFiles(string directory) => Path.Combine(Path.GetFullPath(directory), "**", "*.bicep");

    private async Task<BicepRun> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var standardOutput = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var standardError = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new BicepRun(arguments, process.ExitCode, await standardOutput.ConfigureAwait(false), await standardError.ConfigureAwait(false));
    }

    private static string? BuildMetadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => string.Equals(attribute.Key, key, StringComparison.Ordinal))?.Value;
}
