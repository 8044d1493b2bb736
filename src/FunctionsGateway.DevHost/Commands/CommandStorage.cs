using Azure;
using Azure.Identity;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Configuration;

namespace FunctionsGateway.DevHost.Commands;

/// <summary>
/// Where the operator commands (<c>apikey</c>, <c>routes</c>) read and write: local Azurite by default
/// (<c>UseDevelopmentStorage=true</c> of appsettings.json), another account with <c>--connection-string</c>, or Azure
/// with <c>--table-endpoint</c> and <c>DefaultAzureCredential</c>; and the one line a storage failure prints.
/// </summary>
internal static class CommandStorage
{
    /// <summary>The storage switches, as each command's usage lists them.</summary>
    public const string Usage = """
        Storage (default: local Azurite, UseDevelopmentStorage=true):
          --table-endpoint https://ACCOUNT.table.core.windows.net   signs in with DefaultAzureCredential (az login)
          --connection-string "DefaultEndpointsProtocol=...;..."     any account, Azurite included
        """;

    /// <summary>
    /// Takes out the storage switches: <c>--table-endpoint URL</c> (which replaces the local connection string of
    /// appsettings.json, so rows land in Azure, not in Azurite), <c>--connection-string CS</c>, and settings
    /// written <c>--Gateway:...=value</c> (already read by the host's configuration).
    /// </summary>
    public static bool TrySplitSwitches(string[] args, out string[] command, out Dictionary<string, string?> storage, out string problem)
    {
        var rest = new List<string>();
        storage = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        problem = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i].ToLowerInvariant();
            if (name is "--table-endpoint" or "--connection-string")
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    problem = $"{args[i]} needs a value";
                    command = [];
                    return false;
                }

                storage[name == "--table-endpoint" ? "Gateway:Storage:TableEndpoint" : "Gateway:Storage:ConnectionString"] = args[++i];
            }
            else if (!args[i].StartsWith("--Gateway", StringComparison.OrdinalIgnoreCase))
            {
                rest.Add(args[i]);
            }
        }

        if (storage.Count == 2)
        {
            problem = "use --table-endpoint or --connection-string, not both";
            command = [];
            return false;
        }

        if (storage.ContainsKey("Gateway:Storage:TableEndpoint"))
        {
            storage["Gateway:Storage:ConnectionString"] = string.Empty;
        }

        command = [.. rest];
        return true;
    }

    /// <summary>The host's configuration with the storage switches laid over it.</summary>
    public static IConfiguration Apply(IConfiguration configuration, Dictionary<string, string?> storage) =>
        new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(storage).Build();

    /// <summary>A failure of storage or of signing in to it, which a command reports in one line, not a bug.</summary>
    public static bool IsFailure(Exception exception) =>
        exception is RequestFailedException or AggregateException or IOException or TimeoutException or AuthenticationFailedException;

    /// <summary>The one line a command prints for <paramref name="exception"/> (see <see cref="IsFailure"/>).</summary>
    public static string Describe(Exception exception) => exception is AuthenticationFailedException
        ? $"Could not sign in to storage with DefaultAzureCredential: {exception.Message.Split('\n')[0]}"
        : StorageErrorText.Describe(exception);
}
