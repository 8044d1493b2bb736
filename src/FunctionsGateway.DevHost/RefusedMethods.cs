using FunctionsGateway.Pipeline;

namespace FunctionsGateway.DevHost;

/// <summary>
/// TRACE (cross-site tracing: it echoes the request, cookies and credentials included) and CONNECT (tunnelling)
/// are refused before the gateway runs, as on Azure Functions, where the trigger does not accept them.
/// </summary>
internal static class RefusedMethods
{
    /// <summary>The methods the gateway accepts, as on the Functions trigger.</summary>
    public const string Allowed = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    /// <summary>The answer: 405 problem+json with <c>Allow</c>.</summary>
    public static GatewayError MethodNotAllowed { get; } = new GatewayError(405, "method_not_allowed", "Method not allowed",
        "The gateway does not accept TRACE or CONNECT; use one of " + Allowed + ".").WithHeader("Allow", Allowed);

    /// <summary>True for TRACE and CONNECT.</summary>
    public static bool IsRefused(string method) => HttpMethods.IsTrace(method) || HttpMethods.IsConnect(method);
}
