using FunctionsGateway.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsGateway.Functions;

/// <summary>
/// The operator's status listing (routing tables' state and every problem found in a row), behind a
/// function key: <c>curl "https://APP.azurewebsites.net/_gateway/status?code=FUNCTION_KEY"</c>.
/// Its literal route takes precedence over the gateway's catch-all.
/// </summary>
public sealed class GatewayStatusFunction
{
    private readonly GatewayStatusWriter _status;

    /// <summary>Creates the function over the shared status writer.</summary>
    public GatewayStatusFunction(GatewayStatusWriter status) => _status = status;

    /// <summary>Writes the listing.</summary>
    [Function("GatewayStatus")]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "_gateway/status")] HttpRequest request)
    {
        await _status.WriteAsync(request.HttpContext).ConfigureAwait(false);
        return new EmptyResult();
    }
}
