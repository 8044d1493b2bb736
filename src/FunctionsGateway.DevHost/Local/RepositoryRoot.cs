namespace FunctionsGateway.DevHost.Local;

/// <summary>Finds the repository checkout the DevHost runs from, for its pinned tools.</summary>
public static class RepositoryRoot
{
    /// <summary>The folder holding FunctionsGateway.sln above the running binaries, or null when run outside a checkout.</summary>
    public static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FunctionsGateway.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
