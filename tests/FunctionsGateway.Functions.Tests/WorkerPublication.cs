using System.Diagnostics;

namespace FunctionsGateway.Functions.Tests;

/// <summary>
/// The <c>dotnet publish</c> output of the Functions app, as <c>azd deploy</c> uploads it: made once per test run
/// (the project reference has built it in the same configuration) into the running test project's output folder.
/// The host emulator tests link this file and start what it publishes.
/// </summary>
internal static class WorkerPublication
{
    /// <summary>The file the host starts (<c>defaultWorkerPath</c> of the published worker.config.json).</summary>
    public const string WorkerAssembly = "FunctionsGateway.Functions.dll";

    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    /// <summary>The folder holding the published app.</summary>
    public static Task<string> FolderAsync() => Published.Value;

    /// <summary>The folder holding FunctionsGateway.sln above the running tests.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FunctionsGateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FunctionsGateway.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task<string> PublishAsync()
    {
        var project = Path.Combine(RepositoryRoot(), "src", "FunctionsGateway.Functions", "FunctionsGateway.Functions.csproj");
        // This assembly runs from bin/CONFIGURATION/net10.0; the Functions project was built in the same configuration.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var output = Path.Combine(AppContext.BaseDirectory, "published-worker");

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "publish", project, "--no-build", "-c", configuration, "-o", output })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0 || !File.Exists(Path.Combine(output, WorkerAssembly)))
        {
            throw new InvalidOperationException($"dotnet publish of {project} failed ({process.ExitCode}):\n{await stdout}{await stderr}");
        }

        return output;
    }
}
