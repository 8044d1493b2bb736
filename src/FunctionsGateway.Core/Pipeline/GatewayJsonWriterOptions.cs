using System.Text.Encodings.Web;
using System.Text.Json;

namespace FunctionsGateway.Pipeline;

/// <summary>
/// How the gateway's own JSON answers (problem+json, the status listing) are written: only what JSON requires is
/// escaped (quotes, backslashes, control characters), so a message reads "isn't", not "isn\u0027t". The default
/// encoder also escapes <c>&lt; &gt; &amp; ' +</c> for JSON pasted into HTML; these bodies never are: they are sent
/// as <c>application/problem+json</c> or <c>application/json</c> with <c>X-Content-Type-Options: nosniff</c>, so a
/// browser does not read them as HTML, and a client reads them with a JSON parser, which undoes either spelling.
/// </summary>
internal static class GatewayJsonWriterOptions
{
    /// <summary>One line, for problem+json.</summary>
    public static JsonWriterOptions Compact { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Indented, for the status listing a person reads.</summary>
    public static JsonWriterOptions Indented { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };
}
