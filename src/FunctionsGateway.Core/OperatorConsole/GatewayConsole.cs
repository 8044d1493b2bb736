using System.Text.Json;
using FunctionsGateway.Pipeline;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.OperatorConsole;

/// <summary>
/// The operator console: a page at <see cref="PagePath"/> that shows, and refreshes every two seconds from
/// <see cref="DataPath"/>, every route's live traffic, row problems, backends' health and circuits, rate-limit usage and
/// recent failures. Like <see cref="GatewayStatusWriter"/>, it is served by the hosts behind their own protection: a
/// function key on Azure, loopback only on the DevHost.
/// </summary>
public sealed class GatewayConsole
{
    /// <summary>Where the page is served (also without the trailing slash).</summary>
    public const string PagePath = "/_gateway/";

    /// <summary>The JSON the page polls.</summary>
    public const string DataPath = "/_gateway/console/data";

    private readonly ConsoleDataWriter _data;

    internal GatewayConsole(ConsoleDataWriter data) => _data = data;

    /// <summary>True for the paths of the console: <c>/_gateway</c>, <c>/_gateway/</c> and <see cref="DataPath"/>, in any case.</summary>
    public static bool IsConsolePath(PathString path) =>
        IsPagePath(path) || path.Equals(DataPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes the page for <see cref="PagePath"/>, the data for <see cref="DataPath"/>.</summary>
    public Task WriteAsync(HttpContext context) =>
        IsPagePath(context.Request.Path) ? WritePageAsync(context) : WriteDataAsync(context);

    /// <summary>Writes the page.</summary>
    public static async Task WritePageAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.ContentSecurityPolicy = ConsolePage.ContentSecurityPolicy;
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.ContentLength = ConsolePage.Html.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(ConsolePage.Html, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the data the page polls, as JSON.</summary>
    public async Task WriteDataAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        var writer = new Utf8JsonWriter(response.BodyWriter);
        await using (writer.ConfigureAwait(false))
        {
            _data.Write(writer);
            await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static bool IsPagePath(PathString path) =>
        path.Equals(PagePath, StringComparison.OrdinalIgnoreCase) || path.Equals(PagePath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
