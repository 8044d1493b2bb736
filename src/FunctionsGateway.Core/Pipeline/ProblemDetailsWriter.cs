using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Pipeline;

/// <summary>Writes a <see cref="GatewayError"/> as an RFC 9457 <c>application/problem+json</c> body, with the trace id to quote in a support request.</summary>
public static class ProblemDetailsWriter
{
    /// <summary>Problem types are URNs made of this prefix and the code (a URI that promises no web page); codes are listed in docs/routes.md.</summary>
    public const string TypeBase = "urn:functionsgateway:problem:";

    /// <summary>Writes the error, unless the response has already started (then the connection is aborted instead).</summary>
    public static async Task WriteAsync(HttpContext context, GatewayError error)
    {
        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/problem+json";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        foreach (var (name, value) in error.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        var writer = new Utf8JsonWriter(context.Response.BodyWriter, GatewayJsonWriterOptions.Compact);
        await using (writer.ConfigureAwait(false))
        {
            writer.WriteStartObject();
            writer.WriteString("type", TypeBase + error.Code);
            writer.WriteString("title", error.Title);
            writer.WriteNumber("status", error.Status);
            writer.WriteString("detail", error.Detail);
            writer.WriteString("code", error.Code);
            writer.WriteString("traceId", TraceId(context));
            writer.WriteEndObject();
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }

        // The JSON writer only commits to the pipe; flushing the pipe sends it (Kestrel would at the end, other servers may not).
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The W3C trace id of the request when tracing is on, else the server's request id.</summary>
    public static string TraceId(HttpContext context) =>
        Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;
}
