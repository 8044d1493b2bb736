using System.Net.Sockets;
using System.Text;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A client that sends a request's head and then its body in pieces, one every <c>interval</c>, while reading the
/// response: a slow-loris upload, or a fast one a slow backend cannot keep up with. Loopback only, bounded in
/// pieces and in time.
/// </summary>
public static class SlowClient
{
    /// <summary>Sends <paramref name="head"/>, then up to <paramref name="pieces"/> pieces of <paramref name="pieceBytes"/> bytes; returns the response's head and start of body.</summary>
    public static async Task<string> SendAsync(Uri server, string head, int pieceBytes, int pieces, TimeSpan interval, TimeSpan? timeout = null)
    {
        using var client = new TcpClient();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await client.ConnectAsync(server.Host, server.Port, cancel.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n")), cancel.Token);
        using var answered = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
        var sending = SendPiecesAsync(stream, pieceBytes, pieces, interval, answered.Token);

        var response = new StringBuilder();
        var buffer = new byte[8192];
        while (!response.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, cancel.Token);
            if (read == 0)
            {
                break;
            }

            response.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        // The body of a problem is small and follows its head at once.
        if (stream.DataAvailable)
        {
            var read = await stream.ReadAsync(buffer, cancel.Token);
            response.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        await answered.CancelAsync();
        await sending;
        return response.ToString();
    }

    private static async Task SendPiecesAsync(NetworkStream stream, int pieceBytes, int pieces, TimeSpan interval, CancellationToken cancellationToken)
    {
        var piece = new byte[pieceBytes];
        Array.Fill(piece, (byte)'a');
        try
        {
            for (var i = 0; i < pieces && !cancellationToken.IsCancellationRequested; i++)
            {
                await stream.WriteAsync(piece, cancellationToken);
                if (interval > TimeSpan.Zero)
                {
                    await Task.Delay(interval, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Answered, or the gateway closed the connection: nothing more to send.
        }
    }
}
