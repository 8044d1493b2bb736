using System.Security.Cryptography;
using System.Text;

namespace FunctionsGateway.OperatorConsole;

/// <summary>
/// The console's one HTML document, built once from the page, style and script embedded in this assembly: no file,
/// CDN or build step is needed at run time. The style and script are inlined so that one request (which may carry a
/// function key) loads the whole page, and the Content-Security-Policy allows exactly them by hash and nothing else.
/// </summary>
internal static class ConsolePage
{
    private static readonly Lazy<(byte[] Html, string Policy)> Built = new(Build);

    /// <summary>The document, UTF-8.</summary>
    public static byte[] Html => Built.Value.Html;

    /// <summary>The <c>Content-Security-Policy</c> to send with <see cref="Html"/>.</summary>
    public static string ContentSecurityPolicy => Built.Value.Policy;

    private static (byte[] Html, string Policy) Build()
    {
        var style = Read("console.css");
        var script = Read("console.js");
        var html = Read("console.html")
            .Replace("/*STYLE*/", style, StringComparison.Ordinal)
            .Replace("/*SCRIPT*/", script, StringComparison.Ordinal);
        var policy = $"default-src 'none'; script-src '{Hash(script)}'; style-src '{Hash(style)}'; connect-src 'self'; img-src data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return (Encoding.UTF8.GetBytes(html), policy);
    }

    private static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Read(string name)
    {
        var resource = "FunctionsGateway.OperatorConsole." + name;
        using var stream = typeof(ConsolePage).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The console asset '{resource}' is not embedded in {typeof(ConsolePage).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
