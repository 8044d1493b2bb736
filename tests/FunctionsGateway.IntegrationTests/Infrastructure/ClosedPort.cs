using System.Net;
using System.Net.Sockets;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>A loopback address nothing listens on: connecting is refused at once, as with a backend that has died.</summary>
public static class ClosedPort
{
    public static Uri Url()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
