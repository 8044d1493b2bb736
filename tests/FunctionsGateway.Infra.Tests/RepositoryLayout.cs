namespace FunctionsGateway.Infra.Tests;

/// <summary>Where the repository and its infra files are, found from the test's output folder.</summary>
internal static class RepositoryLayout
{
    private const string SolutionFileName = "FunctionsGateway.sln";

    private static readonly Lazy<string> LazyRoot = new(() => FindRoot(AppContext.BaseDirectory));

    /// <summary>The folder that holds FunctionsGateway.sln.</summary>
    public static string Root => LazyRoot.Value;

    public static string InfraDirectory => Path.Combine(Root, "infra");

    /// <summary>Walks up from <paramref name="start"/> to the folder holding the solution file.</summary>
    public static string FindRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder at or above '{start}' holds {SolutionFileName}.");
    }

    /// <summary>Every .bicep file under infra/, as paths relative to infra/ with '/' separators, sorted.</summary>
    public static IReadOnlyList<string> BicepFiles() =>
        Directory.EnumerateFiles(InfraDirectory, "*.bicep", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(InfraDirectory, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static string InfraPath(string relativePath) => Path.Combine(InfraDirectory, relativePath);
}
