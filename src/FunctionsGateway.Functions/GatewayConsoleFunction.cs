using FunctionsGateway.OperatorConsole;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsGateway.Functions;

/// <summary>
/// The operator console behind a function key, as the status listing is: open
/// <c>https://APP.azurewebsites.net/_gateway/?code=FUNCTION_KEY</c>; the page passes the key on when it polls its data.
/// Their literal routes take precedence over the gateway's catch-all.
/// </summary>
public sealed class GatewayConsoleFunction
{
    private readonly GatewayConsole _console;

    /// <summary>Creates the functions over the shared console.</summary>
    public GatewayConsoleFunction(GatewayConsole console) => _console = console;

    /// <summary>Writes the page.</summary>
    [Function("GatewayConsole")]
    public static async Task<IActionResult> PageAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "_gateway")] HttpRequest request)
    {
        await GatewayConsole.WritePageAsync(request.HttpContext).ConfigureAwait(false);
        return new EmptyResult();
    }

    /// <summary>Writes the data the page polls.</summary>
    [Function("GatewayConsoleData")]
    public async Task<IActionResult> DataAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "_gateway/console/data")] HttpRequest request)
    {
        await _console.WriteDataAsync(request.HttpContext).ConfigureAwait(false);
        return new EmptyResult();
    }
}
