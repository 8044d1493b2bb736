namespace FunctionsGateway.DevHost;

/// <summary>
/// The DevHost's own command-line switches; settings go to ASP.NET Core configuration
/// (for example <c>--urls http://127.0.0.1:8080</c> or <c>--Gateway:Storage:ConnectionString=...</c>).
/// A switch that is neither is an error with a hint, rather than a setting nobody reads.
/// </summary>
/// <param name="Samples"><c>--samples</c>: start three echo backends and seed sample routes into empty tables.</param>
/// <param name="SeedFile"><c>--seed FILE</c>: seed empty tables from a JSON file of rows.</param>
/// <param name="HostArguments">The remaining arguments.</param>
public sealed record DevHostArguments(bool Samples, string? SeedFile, string[] HostArguments)
{
    /// <summary>True when <c>--help</c> (or <c>-h</c>, <c>-?</c>) was given: print <see cref="DevHostUsage.Text"/> and exit 0.</summary>
    public bool Help { get; init; }

    // Settings written without a section: WebApplication's command-line keys, and the health-probe schedule (an app
    // setting of its own on Azure, where the timer trigger reads it as %HealthProbeSchedule%).
    private static readonly string[] HostSettings =
        ["urls", "environment", "contentRoot", "applicationName", "http_ports", "https_ports", HealthProbeTimer.ScheduleSetting];

    /// <summary>Splits the DevHost's switches from the host's; an unknown switch throws with a hint.</summary>
    public static DevHostArguments Parse(string[] args)
    {
        var samples = false;
        var help = false;
        string? seed = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h" or "-?" or "/?":
                    help = true;
                    break;
                case "--samples":
                    samples = true;
                    break;
                case "--seed" when i + 1 < args.Length:
                    seed = Path.GetFullPath(args[++i]);
                    if (!File.Exists(seed))
                    {
                        throw new ArgumentException($"The seed file '{seed}' does not exist; pass a JSON file of rows (docs/routes.md, 'Editing rows locally').");
                    }

                    break;
                case "--seed":
                    throw new ArgumentException("--seed needs a file: --seed routes.json");
                default:
                    if (!IsSetting(args[i]))
                    {
                        throw new ArgumentException(Unknown(args[i]));
                    }

                    rest.Add(args[i]);

                    // "--urls http://..." takes the next word as its value, as ASP.NET Core's command line does.
                    if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Length && !args[i + 1].StartsWith('-'))
                    {
                        rest.Add(args[++i]);
                    }

                    break;
            }
        }

        return new DevHostArguments(samples, seed, [.. rest]) { Help = help };
    }

    // A configuration key: "--Section:Key", "--Section__Key" or one of the host's own, with "--" or "/".
    private static bool IsSetting(string arg)
    {
        var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg.StartsWith('/') ? arg[1..] : null;
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        var key = name.Split('=', 2)[0];
        return key.Contains(':', StringComparison.Ordinal) || key.Contains("__", StringComparison.Ordinal)
            || HostSettings.Contains(key, StringComparer.OrdinalIgnoreCase);
    }

    private static string Unknown(string arg)
    {
        var word = arg.Split('=', 2)[0];
        var closest = DevHostUsage.Switches
            .Select(known => (Known: known, Distance: EditDistance(word.ToLowerInvariant(), known.ToLowerInvariant())))
            .MinBy(c => c.Distance);
        var hint = closest.Distance <= 2 ? $"; did you mean {closest.Known}?" : string.Empty;
        return $"'{arg}' is not a DevHost switch{hint} Run with --help to see them all; settings are written --Section:Key=value "
            + "(such as --Gateway:Storage:ConnectionString=...).";
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
