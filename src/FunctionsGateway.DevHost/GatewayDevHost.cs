using FunctionsGateway.DevHost.Local;
using FunctionsGateway.DevHost.Samples;
using FunctionsGateway.OperatorConsole;
using FunctionsGateway.Pipeline;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.DevHost;

/// <summary>
/// The gateway on plain Kestrel: the same Core pipeline and settings as the Functions app. Every request goes
/// to the gateway, except <c>/_gateway/status</c> and the operator console (<see cref="GatewayConsole"/>) from loopback, and methods
/// the Functions trigger does not accept either (TRACE, CONNECT, ...), which are refused with 405 (<see cref="GatewayMethods"/>). Kestrel's limits: <see cref="DevHostKestrelLimits"/>.
/// </summary>
public static class GatewayDevHost
{
    /// <summary>The operator's status listing; answered only to loopback callers, everyone else gets the gateway (and so a 404).</summary>
    public const string StatusPath = "/_gateway/status";

    /// <summary>Where the DevHost listens when neither <c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>Urls</c> nor Kestrel endpoints say.</summary>
    public const string DefaultUrl = "http://localhost:7071";

    /// <summary>
    /// Builds the host: Kestrel, the gateway's services and settings from appsettings, environment and <paramref name="args"/>.
    /// The content root is the DevHost's own folder, so its <c>appsettings.json</c> (storage, log levels) applies from
    /// whatever directory it is started; from another content root it was silently missed, and every request logged
    /// four framework lines. <c>--contentRoot</c> still chooses another.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot(args) });
        var configuration = builder.Configuration;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            DevHostKestrelLimits.Apply(kestrel.Limits, configuration);
            // The gateway sets the body limit per request (Gateway__Forwarding__MaxRequestBodyBytes).
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Services.AddGateway(builder.Configuration);
        builder.Services.AddHostedService<HealthProbeTimer>();

        // The default is set in code, not in appsettings.json, where it would override ASPNETCORE_URLS.
        if (string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrWhiteSpace(configuration["http_ports"]) && string.IsNullOrWhiteSpace(configuration["https_ports"])
            && !configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        return builder;
    }

    // An explicit --contentRoot wins (the host reads it from the arguments itself when none is given here).
    private static string? ContentRoot(string[] args) =>
        args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ? null : AppContext.BaseDirectory;

    /// <summary>Builds the app and sends every request through the gateway.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        var gateway = app.Services.GetRequiredService<GatewayRequestHandler>();
        var status = app.Services.GetRequiredService<GatewayStatusWriter>();
        var console = app.Services.GetRequiredService<GatewayConsole>();
        app.Run(context =>
            !GatewayMethods.IsAccepted(context.Request.Method) ? ProblemDetailsWriter.WriteAsync(context, GatewayMethods.NotAccepted)
            : context.Request.Path.Equals(StatusPath, StringComparison.OrdinalIgnoreCase) && IsLoopback(context)
                ? status.WriteAsync(context)
            : IsConsoleRequest(context) ? console.WriteAsync(context)
            : gateway.HandleAsync(context));
        return app;
    }

    /// <summary>
    /// Runs the DevHost from the command line; see <see cref="DevHostArguments"/>. Bad settings, a bad seed file or
    /// a missing tool end it with a message saying what to fix (exit code 2, or 1 for a tool), not a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await RunCheckedAsync(args).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync(InvalidSettingsText.Describe(ex)).ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidDataException or System.Text.Json.JsonException or FileNotFoundException or DirectoryNotFoundException)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }
        catch (IOException ex) when (AddressInUse.Describe(ex) is { } message)
        {
            await Console.Error.WriteLineAsync(message).ConfigureAwait(false);
            return 1;
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private static async Task<int> RunCheckedAsync(string[] args)
    {
        var options = DevHostArguments.Parse(args);
        if (options.Help)
        {
            Console.WriteLine(DevHostUsage.Text);
            return 0;
        }

        // Before the host exists, so its console logger writes through the buffer.
        using var output = BufferedConsoleOutput.StartIfRedirected();
        var builder = CreateBuilder(options.HostArguments);
        // A bad schedule stops the DevHost here, with its message, before Azurite or any backend starts.
        HealthProbeTimer.ParseSchedule(builder.Configuration[HealthProbeTimer.ScheduleSetting]);

        // RunAsync reports a failed start in one line (AddressInUse); the host would log it again with its stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        await using var azurite = await StartAzuriteIfNeededAsync(builder.Configuration).ConfigureAwait(false);
        var backends = new List<EchoBackend>();
        try
        {
            if (options.Samples)
            {
                backends.Add(await EchoBackend.StartAsync("echo-v1", "http://127.0.0.1:7081").ConfigureAwait(false));
                backends.Add(await EchoBackend.StartAsync("echo-v2", "http://127.0.0.1:7082").ConfigureAwait(false));

                // Only the apikey route 'secure' forwards here: a backend that no anonymous route can reach, whatever path it sends.
                backends.Add(await EchoBackend.StartAsync("echo-private", "http://127.0.0.1:7083").ConfigureAwait(false));
            }

            var app = Build(builder);
            await LocalTables.CreateMissingAsync(app.Services).ConfigureAwait(false);
            var seedFile = options.SeedFile ?? (options.Samples ? Path.Combine(AppContext.BaseDirectory, "Samples", "samples.json") : null);
            if (seedFile is not null)
            {
                var written = await TableSeeder.SeedIfEmptyAsync(app.Services.GetRequiredService<GatewayTables>(), seedFile).ConfigureAwait(false);
                Console.WriteLine(written > 0 ? $"Seeded {written} rows from {seedFile}." : "The Routes table already has rows; nothing seeded.");
            }

            await app.StartAsync().ConfigureAwait(false);
            PrintWelcome(app, options.Samples, azurite);
            await app.WaitForShutdownAsync().ConfigureAwait(false);
            return 0;
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    // The operator console (GatewayConsole), like the status listing: read-only, from loopback only.
    private static bool IsConsoleRequest(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && GatewayConsole.IsConsolePath(context.Request.Path) && IsLoopback(context);

    private static bool IsLoopback(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip && System.Net.IPAddress.IsLoopback(ip);

    // Local runs use Azurite through UseDevelopmentStorage=true; start it when nothing listens on its table port.
    private static async Task<AzuriteProcess?> StartAzuriteIfNeededAsync(IConfiguration configuration)
    {
        var connectionString = configuration["Gateway:Storage:ConnectionString"];
        if (!string.Equals(connectionString?.Trim().TrimEnd(';'), "UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase)
            || await AzuriteProcess.IsListeningAsync(10002).ConfigureAwait(false))
        {
            return null;
        }

        var root = RepositoryRoot.Find();
        Console.WriteLine("Starting Azurite (Table Storage emulator) on 127.0.0.1:10002...");
        return await AzuriteProcess.StartAsync(10002, root is null ? null : Path.Combine(root, ".azurite")).ConfigureAwait(false);
    }

    private static void PrintWelcome(WebApplication app, bool samples, AzuriteProcess? azurite)
    {
        var url = app.Urls.FirstOrDefault()?.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) ?? DefaultUrl;
        Console.WriteLine();
        Console.WriteLine($"FunctionsGateway DevHost is listening on {url}");
        if (samples)
        {
            Console.WriteLine("Try:");
            Console.WriteLine($"  curl {url}/hello");
            Console.WriteLine($"  curl '{url}/echo/anything?x=1'          # 9 in 10 to echo-v1, 1 in 10 to echo-v2");
            Console.WriteLine($"  curl -H 'x-api-version: 2' {url}/echo/anything   # always echo-v2");
            Console.WriteLine($"  curl {url}/orders/42                    # rewritten to /api/orders/42");
            Console.WriteLine($"  curl -i {url}/nowhere                   # 404 problem+json");
            Console.WriteLine($"  curl -i -X DELETE {url}/orders/42         # 405: the route allows GET, PUT (Allow header)");
            Console.WriteLine($"  curl -i {url}/limited/x                 # 5 a minute per client address, then 429 with Retry-After");
            Console.WriteLine($"  curl -i {url}/secure/data               # 401: needs an API key; create one in another terminal with");
            Console.WriteLine("    dotnet run --project src/FunctionsGateway.DevHost -- apikey create --consumer me");
            Console.WriteLine($"  curl -H 'X-Api-Key: KEY' {url}/secure/data   # echo-private: the only backend behind the API key, no anonymous route reaches it");
        }

        Console.WriteLine($"  curl {url}{StatusPath}            # routing tables' state, row problems, each backend's health");
        Console.WriteLine($"Operator console (live routes, backends, rate limits, failures): {url}{GatewayConsole.PagePath}");
        if (azurite is not null)
        {
            Console.WriteLine("Edit the Routes and Backends tables in Azurite (Storage Explorer: Local emulator); edits apply within the refresh interval.");
        }

        Console.WriteLine("Press Ctrl+C to stop.");
    }
}
