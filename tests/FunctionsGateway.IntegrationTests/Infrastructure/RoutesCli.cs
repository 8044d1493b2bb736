using FunctionsGateway.DevHost.Commands;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The <c>routes</c> command run as an operator runs it, over a test's own tables in Azurite, with a directory of its
/// own for route-set files (deleted with it).
/// </summary>
public sealed class RoutesCli : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("routes-cli-").FullName;
    private readonly Dictionary<string, string?> _settings;

    private RoutesCli(string connectionString, TestTables tables)
    {
        Tables = tables;
        _settings = new Dictionary<string, string?>
        {
            ["Gateway:Storage:ConnectionString"] = connectionString,
            ["Gateway:Tables:Routes"] = tables.Routes.Name,
            ["Gateway:Tables:Backends"] = tables.Backends.Name,
        };
    }

    public TestTables Tables { get; }

    public static async Task<RoutesCli> CreateAsync(string connectionString) => new(connectionString, await TestTables.CreateAsync(connectionString));

    /// <summary>A path in this run's directory (the file need not exist).</summary>
    public string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>Writes <paramref name="text"/> to a file of this run's directory and returns its path.</summary>
    public string WriteFile(string name, string text)
    {
        var path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs <c>routes ARGS</c> with this run's storage and tables, plus <paramref name="settings"/>.</summary>
    public async Task<(int Exit, string Output, string Errors)> RunAsync(string[] args, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(_settings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var output = new StringWriter();
        var errors = new StringWriter();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var exit = await RoutesCommand.RunAsync(["routes", .. args], configuration, output, errors, TimeProvider.System, CancellationToken.None);
        return (exit, output.ToString(), errors.ToString());
    }

    /// <summary>The store the command reads and writes through, for a test that acts between a diff and an apply.</summary>
    internal RouteSetStore Store()
    {
        var options = new GatewayOptions();
        options.Storage.ConnectionString = _settings["Gateway:Storage:ConnectionString"];
        options.Tables.Routes = Tables.Routes.Name;
        options.Tables.Backends = Tables.Backends.Name;
        return new RouteSetStore(new GatewayTables(Options.Create(options)));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
