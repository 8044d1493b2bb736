namespace FunctionsGateway.DevHost;

/// <summary>What <c>--help</c> prints: every switch and command, and how to start.</summary>
public static class DevHostUsage
{
    /// <summary>The switches, for hints when one is mistyped.</summary>
    public static IReadOnlyList<string> Switches { get; } = ["--samples", "--seed", "--help", "--urls", "--environment"];

    /// <summary>The text.</summary>
    public const string Text = """
        FunctionsGateway DevHost: the gateway on Kestrel, with local Table Storage (Azurite).

        Usage:
          dotnet run --project src/FunctionsGateway.DevHost -- [switches] [settings]
          dotnet run --project src/FunctionsGateway.DevHost -- apikey COMMAND ...
          dotnet run --project src/FunctionsGateway.DevHost -- routes COMMAND ...

        Start here:
          dotnet run --project src/FunctionsGateway.DevHost -- --samples    # sample routes and echo backends
          dotnet test FunctionsGateway.sln                                   # every test

        Switches:
          --samples          start three echo backends (127.0.0.1:7081-7083) and seed sample rows into empty tables
          --seed FILE        seed empty tables from a JSON file of rows (docs/routes.md)
          --urls URLS        where to listen (default http://localhost:7071; also ASPNETCORE_URLS)
          --help, -h         print this and exit

        Settings (any key of docs/architecture.md, Settings), on the command line or as environment variables:
          --Gateway:Storage:ConnectionString=...      Gateway__Storage__ConnectionString=...
          --Kestrel:Limits:MaxRequestHeaderCount=50   Kestrel__Limits__MaxRequestHeaderCount=50
          --HealthProbeSchedule="*/10 * * * * *"     HealthProbeSchedule=...  (health probes, default every 30 s)

        Commands:
          apikey create --consumer NAME [--plan PLAN] [--scopes a,b] [--expires 2027-01-31] [--description TEXT]
          apikey disable --hash HASH | apikey enable --hash HASH | apikey list [--consumer NAME]
          routes export [--file FILE] | routes validate FILE | routes diff FILE | routes apply FILE [--yes]
            the Routes and Backends rows as one JSON file (docs/routes.md); apply writes only with --yes
          both: --connection-string CS, or --table-endpoint https://ACCOUNT.table.core.windows.net
            (signs in with DefaultAzureCredential); default: local Azurite

        Status listing: curl http://localhost:7071/_gateway/status (from this machine only).
        Operator console: open http://localhost:7071/_gateway/ in a browser (from this machine only).
        Local data lives in .azurite/ at the repository root; delete it (with the DevHost stopped) to start empty.
        """;
}
