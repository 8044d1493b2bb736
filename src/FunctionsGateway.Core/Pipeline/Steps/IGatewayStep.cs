using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>
/// One step of the request's path. <see cref="GatewayRequestHandler"/> runs the registered steps in order
/// (the order of <see cref="GatewayServiceCollectionExtensions.AddGateway"/>); each reads what earlier steps left on
/// the <see cref="GatewayRequestFeature"/>, adds its own, and either lets the request go on or ends it.
/// Steps are singletons: they keep no per-request state outside the feature.
/// </summary>
internal interface IGatewayStep
{
    /// <summary>
    /// Runs the step. Answers <see cref="GatewayStepResult.Continue"/> to hand the request to the next step,
    /// <see cref="GatewayStepResult.Fail"/> to end it with a problem the handler writes, or
    /// <see cref="GatewayStepResult.Answered"/> when the step wrote the response itself. A step that needs no I/O
    /// completes synchronously.
    /// </summary>
    ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature);
}
