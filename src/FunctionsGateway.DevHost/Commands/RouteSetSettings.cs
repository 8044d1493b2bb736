using FunctionsGateway.Authentication;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.DevHost.Commands;

/// <summary>
/// The settings a <c>routes</c> command reads, bound as the gateway binds them: storage and table names, the
/// forwarding setting and the issuers the validation depends on (link-local backends, route audiences, jwt warnings).
/// </summary>
internal sealed class RouteSetSettings
{
    private RouteSetSettings(GatewayOptions gateway, AuthenticationOptions authentication)
    {
        Gateway = gateway;
        Authentication = authentication;
    }

    public GatewayOptions Gateway { get; }

    public AuthenticationOptions Authentication { get; }

    public TableNames Tables => Gateway.Tables;

    public static RouteSetSettings From(IConfiguration configuration) => new(
        configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions(),
        configuration.GetSection(AuthenticationOptions.SectionName).Get<AuthenticationOptions>() ?? new AuthenticationOptions());

    /// <summary>The tables in the configured storage (no request is sent), or null and why not.</summary>
    public RouteSetStore? TryOpenStore(out string problem)
    {
        problem = string.Empty;
        var storage = Gateway.Storage;
        if (string.IsNullOrWhiteSpace(storage.ConnectionString) && storage.TableEndpoint is null)
        {
            problem = "No storage is configured; give --connection-string or --table-endpoint (or set Gateway:Storage:ConnectionString, UseDevelopmentStorage=true for Azurite)";
            return null;
        }

        try
        {
            return new RouteSetStore(new GatewayTables(Options.Create(Gateway)));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The SDK's message names the part it could not read; the string itself may hold an account key, so it is not echoed.
            problem = $"The storage connection string cannot be used: {ex.Message.Split('\n')[0]}; check --connection-string or Gateway:Storage:ConnectionString";
            return null;
        }
    }
}
