namespace FunctionsGateway.DevHost;

/// <summary>
/// The DevHost's own command-line switches; everything else goes to ASP.NET Core configuration
/// (for example <c>--urls http://127.0.0.1:8080</c> or <c>--Gateway:Storage:ConnectionString=...</c>).
/// </summary>
/// <param name="Samples"><c>--samples</c>: start three echo backends and seed sample routes into empty tables.</param>
/// <param name="SeedFile"><c>--seed FILE</c>: seed empty tables from a JSON file of rows.</param>
/// <param name="HostArguments">The remaining arguments.</param>
public sealed record DevHostArguments(bool Samples, string? SeedFile, string[] HostArguments)
{
    /// <summary>Splits the DevHost's switches from the host's.</summary>
    public static DevHostArguments Parse(string[] args)
    {
        var samples = false;
        string? seed = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
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
                    rest.Add(args[i]);
                    break;
            }
        }

        return new DevHostArguments(samples, seed, [.. rest]);
    }
}
