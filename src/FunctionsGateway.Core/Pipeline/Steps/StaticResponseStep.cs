using FunctionsGateway.Routing;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Pipeline.Steps;

/// <summary>Answers a route whose target is a static response with that response; other routes go on to a backend.</summary>
internal sealed class StaticResponseStep : IGatewayStep
{
    public ValueTask<GatewayStepResult> InvokeAsync(HttpContext context, GatewayRequestFeature feature)
    {
        if (feature.MatchedRoute.Target is not StaticResponseTarget response)
        {
            return GatewayStepResult.Continue;
        }

        return Answer(context, response);
    }

    /// <summary>Writes <paramref name="response"/> as the request's answer (also a route's fallback response, see <see cref="SelectBackendStep"/>).</summary>
    public static ValueTask<GatewayStepResult> Answer(HttpContext context, StaticResponseTarget response)
    {
        context.Response.StatusCode = response.Status;
        if (response.Body.Length == 0)
        {
            return GatewayStepResult.Answered;
        }

        context.Response.ContentType = response.ContentType;
        return HttpMethods.IsHead(context.Request.Method)
            ? GatewayStepResult.Answered
            : WriteBodyAsync(context, response);
    }

    private static async ValueTask<GatewayStepResult> WriteBodyAsync(HttpContext context, StaticResponseTarget response)
    {
        await context.Response.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
        return GatewayStepResult.Answered;
    }
}
