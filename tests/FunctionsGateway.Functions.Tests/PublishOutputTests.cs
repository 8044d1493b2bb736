namespace FunctionsGateway.Functions.Tests;

public class PublishOutputTests
{
    [Fact]
    public async Task Publish_YieldsWhatAzureNeeds()
    {
        var output = await WorkerPublication.FolderAsync();

        foreach (var file in new[] { "host.json", "functions.metadata", "worker.config.json", "extensions.json", WorkerPublication.WorkerAssembly })
        {
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} is missing from the publish output {output}");
        }

        Assert.False(File.Exists(Path.Combine(output, "local.settings.json")), "local.settings.json must never be published");
    }
}
