using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.DevHost.Samples;

/// <summary>
/// A small backend that answers every request with what it received (method, path, query, headers, body size)
/// and its own name, so a person can see what the gateway sent. <c>/health</c> answers 200.
/// </summary>
public sealed class EchoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoBackend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    /// <summary>The name it reports in every answer, such as <c>echo-v1</c>.</summary>
    public string Name { get; }

    /// <summary>The base address it listens on.</summary>
    public Uri Url => new(_app.Urls.First());

    /// <summary>Starts the backend on <paramref name="url"/> (use port 0 for a free port).</summary>
    public static async Task<EchoBackend> StartAsync(string name, string url, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context => EchoAsync(context, name));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new EchoBackend(app, name);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task EchoAsync(HttpContext context, string name)
    {
        var request = context.Request;
        if (request.Path.Equals("/health", StringComparison.OrdinalIgnoreCase))
        {
            await context.Response.WriteAsync("healthy", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        long bodyBytes = 0;
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            bodyBytes += read;
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            service = name,
            method = request.Method,
            path = request.Path.Value,
            query = request.QueryString.Value,
            headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            bodyBytes,
        }, SerializerOptions, context.RequestAborted).ConfigureAwait(false);
    }

    private static readonly JsonSerializerOptions SerializerOptions = new() { WriteIndented = true };
}
