using FunctionsGateway.DevHost;
using FunctionsGateway.DevHost.Commands;

// `apikey ...` manages API keys (docs/auth.md), `routes ...` the route set as a file (docs/routes.md); anything else runs the gateway.
if (args is ["apikey" or "routes", ..])
{
    var configuration = GatewayDevHost.CreateBuilder([.. args.Skip(1).Where(a => a.StartsWith("--Gateway", StringComparison.Ordinal))]).Configuration;
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    return args[0] == "apikey"
        ? await ApiKeyCommand.RunAsync(args, configuration, stop.Token)
        : await RoutesCommand.RunAsync(args, configuration, stop.Token);
}

return await GatewayDevHost.RunAsync(args);
