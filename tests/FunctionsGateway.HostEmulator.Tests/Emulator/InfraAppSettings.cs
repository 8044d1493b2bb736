using System.Text.RegularExpressions;
using FunctionsGateway.DevHost.Local;

namespace FunctionsGateway.HostEmulator.Tests.Emulator;

/// <summary>
/// The app settings <c>infra/modules/function-app.bicep</c> gives the Function App, read from the Bicep file itself, and
/// their local equivalents: the same names and values except where Azure's are an identity or a network service.
/// A setting added to infra that this class does not know makes <see cref="ForEmulator"/> fail, so the emulated start-up
/// never silently runs with less than Azure gives the worker.
/// </summary>
internal static partial class InfraAppSettings
{
    /// <summary>The client id the emulator gives as <c>AZURE_CLIENT_ID</c>; nothing signs in with it (storage is Azurite's key).</summary>
    public const string IdentityClientId = "00000000-0000-0000-0000-00000000c11d";

    /// <summary>The names of every app setting infra writes, in file order.</summary>
    public static IReadOnlyList<string> Names() => [.. Settings().Select(s => s.Name)];

    /// <summary>infra's settings with Azurite's connection string in place of the managed identity's storage endpoints.</summary>
    public static Dictionary<string, string?> ForEmulator(string azuriteConnectionString)
    {
        var emulated = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in Settings())
        {
            switch (name)
            {
                // Host storage signs in with the identity on Azure; Azurite takes its account key.
                case "AzureWebJobsStorage__accountName" or "AzureWebJobsStorage__credential" or "AzureWebJobsStorage__clientId":
                    emulated["AzureWebJobsStorage"] = azuriteConnectionString;
                    break;

                // Telemetry export would need the network: left unset, which is also how the worker runs without Application Insights.
                case "APPLICATIONINSIGHTS_CONNECTION_STRING" or "APPLICATIONINSIGHTS_AUTHENTICATION_STRING":
                    break;
                case "AZURE_CLIENT_ID":
                    emulated[name] = IdentityClientId;
                    break;
                case "Gateway__Storage__TableEndpoint":
                    emulated["Gateway__Storage__ConnectionString"] = azuriteConnectionString;
                    break;
                case "HealthProbeSchedule":
                    emulated[name] = DeployedHealthProbeSchedule();
                    break;
                case "AzureWebJobsDisableHomepage":
                    emulated[name] = Literal(value);
                    break;
                default:
                    throw new InvalidOperationException(
                        $"infra/modules/function-app.bicep writes the app setting '{name}' ({value}), which the host emulator does not know. "
                        + "Add its local equivalent to InfraAppSettings.ForEmulator so the emulated worker starts with it too.");
            }
        }

        return emulated;
    }

    private static IEnumerable<(string Name, string Value)> Settings()
    {
        var lines = File.ReadAllLines(Path.Combine(InfraFolder(), "modules", "function-app.bicep"));
        var start = Array.FindIndex(lines, l => l.StartsWith("resource appSettings ", StringComparison.Ordinal));
        if (start < 0)
        {
            throw new InvalidOperationException("infra/modules/function-app.bicep has no 'resource appSettings' block; the emulator reads the app settings from it.");
        }

        var properties = Array.FindIndex(lines, start, l => l.Trim() == "properties: {");
        for (var i = properties + 1; i < lines.Length && lines[i].Trim() != "}"; i++)
        {
            var match = SettingLine().Match(lines[i]);
            if (match.Success)
            {
                yield return (match.Groups["name"].Value, match.Groups["value"].Value.Trim());
            }
        }
    }

    private static string DeployedHealthProbeSchedule()
    {
        var main = File.ReadAllText(Path.Combine(InfraFolder(), "main.bicep"));
        var match = ScheduleParameter().Match(main);
        return match.Success
            ? match.Groups["value"].Value
            : throw new InvalidOperationException("infra/main.bicep has no default for 'param healthProbeSchedule string'; the emulator deploys that default.");
    }

    private static string Literal(string bicepValue) =>
        bicepValue.Length >= 2 && bicepValue[0] == '\'' && bicepValue[^1] == '\''
            ? bicepValue[1..^1]
            : throw new InvalidOperationException($"Expected a quoted literal in infra's app settings, found {bicepValue}.");

    private static string InfraFolder() =>
        Path.Combine(RepositoryRoot.Find() ?? throw new InvalidOperationException("FunctionsGateway.sln not found above " + AppContext.BaseDirectory), "infra");

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?<value>.+)$")]
    private static partial Regex SettingLine();

    [GeneratedRegex(@"param healthProbeSchedule string = '(?<value>[^']+)'")]
    private static partial Regex ScheduleParameter();
}
