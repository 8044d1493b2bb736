using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Pipeline;

/// <summary>
/// The HTTP methods the gateway accepts, the same on every host: the Functions trigger binds exactly these
/// (its attribute uses the constants below) and the DevHost answers any other method 405 with <c>Allow</c>
/// before the gateway runs. TRACE (it would echo cookies and credentials) and CONNECT (tunnelling) are not among
/// them, nor WebDAV or made-up methods: a backend could not be reached with them through Azure Functions anyway.
/// </summary>
public static class GatewayMethods
{
    /// <summary>GET, in the lower case the Functions trigger attribute is written in.</summary>
    public const string Get = "get";

    /// <summary>HEAD.</summary>
    public const string Head = "head";

    /// <summary>POST.</summary>
    public const string Post = "post";

    /// <summary>PUT.</summary>
    public const string Put = "put";

    /// <summary>PATCH.</summary>
    public const string Patch = "patch";

    /// <summary>DELETE.</summary>
    public const string Delete = "delete";

    /// <summary>OPTIONS.</summary>
    public const string Options = "options";

    /// <summary>The <c>Allow</c> header value listing them.</summary>
    public const string Allow = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

    /// <summary>The answer to any other method: 405 problem+json with <c>Allow</c>.</summary>
    public static GatewayError NotAccepted { get; } = new GatewayError(405, "method_not_allowed", "Method not allowed",
        "The gateway does not accept this method; use one of " + Allow + ".").WithHeader("Allow", Allow);

    /// <summary>True for the seven methods above, in any case; no allocation.</summary>
    public static bool IsAccepted(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsPost(method) || HttpMethods.IsPut(method)
        || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method) || HttpMethods.IsOptions(method);
}
