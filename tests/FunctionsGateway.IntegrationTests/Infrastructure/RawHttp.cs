using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Sends bytes exactly as written, for requests HttpClient would tidy up (custom Connection tokens,
/// broken chunked framing), and returns the first response: headers and body.
/// </summary>
public static partial class RawHttp
{
    public static async Task<string> SendAsync(Uri server, string request, TimeSpan? timeout = null)
    {
        using var client = new TcpClient();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        await client.ConnectAsync(server.Host, server.Port, cancel.Token);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ReplaceLineEndings("\r\n")), cancel.Token);
        var response = new StringBuilder();
        var buffer = new byte[8192];
        int read;
        while (!IsComplete(response.ToString()) && (read = await stream.ReadAsync(buffer, cancel.Token)) > 0)
        {
            response.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return response.ToString();
    }

    private static bool IsComplete(string response)
    {
        var headersEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headersEnd < 0)
        {
            return false;
        }

        var headers = response[..headersEnd];
        var length = ContentLength().Match(headers);
        if (length.Success)
        {
            return Encoding.UTF8.GetByteCount(response[(headersEnd + 4)..]) >= long.Parse(length.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        return headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase)
            ? response.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)
            : false;
    }

    [GeneratedRegex(@"^Content-Length:\s*(\d+)", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex ContentLength();
}
