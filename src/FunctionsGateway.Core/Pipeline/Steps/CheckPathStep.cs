using FunctionsGateway.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>
/// Refuses, before matching, a path a backend could read otherwise than the matcher (400 <c>invalid_path</c>,
/// docs/routes.md), so such a path never reaches a backend.
/// </summary>
internal sealed class CheckPathStep : IGatewayStep
{
    private readonly RequestPathGuard _guard;

    public CheckPathStep(IOptions<GatewayOptions> options) => _guard = new RequestPathGuard(options.Value.Paths);

    public ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature) =>
        _guard.Check(context.Request) is { } invalidPath
            ? GatewayStepResult.Fail(invalidPath)
            : GatewayStepResult.Continue;
}
