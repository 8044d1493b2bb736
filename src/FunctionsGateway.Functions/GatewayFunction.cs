using FunctionsGateway.Pipeline;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsGateway.Functions;

/// <summary>
/// The catch-all HTTP trigger: every public request is handed to the gateway's Core pipeline.
/// Anonymous, because the gateway authenticates callers itself (a function key would travel on to backends).
/// With <c>extensions.http.routePrefix</c> "" in host.json it answers every path the host does not keep for
/// itself (<c>/admin</c>, <c>/runtime</c>). It binds <see cref="GatewayMethods"/>, the list the DevHost accepts too; TRACE, CONNECT and any other method
/// never reach the worker (the Functions host answers them itself).
/// </summary>
public sealed class GatewayFunction
{
    private readonly GatewayRequestHandler _gateway;

    /// <summary>Creates the function over the shared request handler.</summary>
    public GatewayFunction(GatewayRequestHandler gateway) => _gateway = gateway;

    /// <summary>Forwards the request; the response is written by the pipeline.</summary>
    [Function("Gateway")]
    public async Task<IActionResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, GatewayMethods.Get, GatewayMethods.Head, GatewayMethods.Post, GatewayMethods.Put,
            GatewayMethods.Patch, GatewayMethods.Delete, GatewayMethods.Options, Route = "{*path}")]
        HttpRequest request)
    {
        await _gateway.HandleAsync(request.HttpContext).ConfigureAwait(false);

        // The response is already written; EmptyResult tells the worker there is nothing more to send.
        return new EmptyResult();
    }
}
