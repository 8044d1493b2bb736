using FunctionsGateway.DevHost;
using FunctionsGateway.IntegrationTests.Infrastructure;

namespace FunctionsGateway.IntegrationTests.DevHost;

/// <summary>The DevHost's probe timer reads the same NCRONTAB schedule as the Functions timer, and refuses anything else at start.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class HealthProbeScheduleTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("*/30 * * * * *", 30)]
    [InlineData("0 */5 * * * *", 300)]
    [InlineData(null, 30)]
    [InlineData("  ", 30)]
    public void ParseSchedule_SixFieldsOrNothing_GivesTheInterval(string? text, int seconds)
    {
        var schedule = HealthProbeTimer.ParseSchedule(text);

        var first = schedule.GetNextOccurrence(new DateTime(2026, 12, 1, 12, 0, 1, DateTimeKind.Utc));
        Assert.Equal(TimeSpan.FromSeconds(seconds), schedule.GetNextOccurrence(first) - first);
    }

    [Theory]
    [InlineData("*/30 * * * *")]
    [InlineData("00:00:30")]
    [InlineData("every 30 seconds")]
    [InlineData("*/30 * * * * * *")]
    public void ParseSchedule_NotSixFields_SaysWhatToWrite(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => HealthProbeTimer.ParseSchedule(text));

        Assert.Equal(
            $"HealthProbeSchedule '{text}' is not an NCRONTAB schedule of six fields (second minute hour day month day-of-week), as Azure Functions timers use; "
            + "write one such as '*/30 * * * * *' (every 30 seconds) or '0 */1 * * * *' (every minute).",
            error.Message);
    }

    [Fact]
    public async Task RunAsync_InvalidSchedule_SaysWhatToWriteAndExitsWith2()
    {
        var errors = new StringWriter();
        var original = Console.Error;
        Console.SetError(errors);
        int exitCode;
        try
        {
            exitCode = await GatewayDevHost.RunAsync(
                ["--HealthProbeSchedule=*/30 * * * *", $"--Gateway:Storage:ConnectionString={azurite.ConnectionString}", "--urls", "http://127.0.0.1:0"]);
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.Equal(2, exitCode);
        Assert.Contains("HealthProbeSchedule '*/30 * * * *' is not an NCRONTAB schedule of six fields", errors.ToString(), StringComparison.Ordinal);
    }
}
