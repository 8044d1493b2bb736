using System.Globalization;
using System.Text;

// The benchmark's backend: as cheap as Kestrel allows, so the proxies in front of it are what is measured.
// Any path answers a fixed 100-byte JSON body; /payload/{bytes} answers that many bytes (at most 16 MiB).
// For the JWT run it also plays the token issuer: /jwks (its signing key) and /token (a fresh RS256 token).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
var app = builder.Build();

var small = Encoding.UTF8.GetBytes("""{"id":42,"name":"bench","status":"ok","tags":["a","b","c"],"note":"a fixed body of 100 bytes."}""".PadRight(100));
var filler = new byte[64 * 1024];
Array.Fill(filler, (byte)'x');

using var issuer = new BenchIssuer();
var jwks = issuer.Jwks();

app.Run(context =>
{
    var response = context.Response;
    var path = context.Request.Path.Value ?? "/";
    if (path == "/jwks")
    {
        response.ContentType = "application/json";
        return response.WriteAsync(jwks, context.RequestAborted);
    }

    if (path == "/token")
    {
        return response.WriteAsync(issuer.Token(TimeProvider.System.GetUtcNow()), context.RequestAborted);
    }

    if (path.StartsWith("/payload/", StringComparison.Ordinal)
        && int.TryParse(path.AsSpan("/payload/".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
    {
        return WritePayloadAsync(response, Math.Min(bytes, 16 * 1024 * 1024), filler, context.RequestAborted);
    }

    response.ContentType = "application/json";
    response.ContentLength = small.Length;
    return response.Body.WriteAsync(small, context.RequestAborted).AsTask();
});

app.Run();

static async Task WritePayloadAsync(HttpResponse response, int bytes, byte[] filler, CancellationToken cancellationToken)
{
    response.ContentType = "application/octet-stream";
    response.ContentLength = bytes;
    for (var left = bytes; left > 0; left -= filler.Length)
    {
        await response.Body.WriteAsync(filler.AsMemory(0, Math.Min(left, filler.Length)), cancellationToken);
    }
}
