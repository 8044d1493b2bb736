using System.Diagnostics;

namespace FunctionsGateway.Functions.Tests;

public class PublishOutputTests
{
    [Fact]
    public async Task Publish_YieldsWhatAzureNeeds()
    {
        var output = Directory.CreateTempSubdirectory("fgw-publish-").FullName;
        try
        {
            var project = Path.Combine(RepositoryRoot(), "src", "FunctionsGateway.Functions", "FunctionsGateway.Functions.csproj");
            // This test runs from bin/CONFIGURATION/net10.0; the Functions project was built in the same configuration.
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

            var (exitCode, log) = await RunAsync("dotnet", "publish", project, "--no-build", "-c", configuration, "-o", output);

            Assert.True(exitCode == 0, $"dotnet publish failed ({exitCode}):\n{log}");
            foreach (var file in new[] { "host.json", "functions.metadata", "worker.config.json", "extensions.json", "FunctionsGateway.Functions.dll" })
            {
                Assert.True(File.Exists(Path.Combine(output, file)), $"{file} is missing from the publish output {output}");
            }

            Assert.False(File.Exists(Path.Combine(output, "local.settings.json")), "local.settings.json must never be published");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static string RepositoryRoot()
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

    private static async Task<(int ExitCode, string Log)> RunAsync(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
