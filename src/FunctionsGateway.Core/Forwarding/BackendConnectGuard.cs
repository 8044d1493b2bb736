using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// The backend handler's connect step. Row validation refuses metadata and link-local addresses written as
/// such; this catches a DNS name that resolves there (or is re-pointed there later), and a backend that is the
/// gateway itself: a port the server listens on, at a loopback or local address (a loop that would multiply
/// every request until something gives). Refused connections fail, so the client gets 502 <c>backend_unreachable</c>,
/// and are logged with the reason.
/// </summary>
internal sealed partial class BackendConnectGuard
{
    private readonly bool _allowLinkLocal;
    private readonly bool _allowSelf;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly IServer? _server;
    private readonly ILogger _logger;
    private readonly Lazy<HashSet<IPAddress>> _localAddresses = new(LocalInterfaceAddresses);

    public BackendConnectGuard(bool allowLinkLocal, bool allowSelf, IServer? server, ILogger logger,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        _allowLinkLocal = allowLinkLocal;
        _allowSelf = allowSelf;
        _server = server;
        _logger = logger;
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
    }

    /// <summary>Resolves the backend's host, refuses restricted addresses, then connects to the first address that answers.</summary>
    public ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        ConnectAsync(context.DnsEndPoint, cancellationToken);

    /// <inheritdoc cref="ConnectAsync(SocketsHttpConnectionContext, CancellationToken)"/>
    public async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await _resolve(endpoint.Host, cancellationToken).ConfigureAwait(false);
        if (Refusal(addresses, endpoint.Port) is { } reason)
        {
            Log.ConnectionRefused(_logger, endpoint.Host, endpoint.Port, reason);
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"The gateway refused to connect to {endpoint.Host}:{endpoint.Port}: {reason}.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Why connecting to <paramref name="addresses"/> on <paramref name="port"/> is refused, or null when it is allowed.</summary>
    public string? Refusal(IReadOnlyList<IPAddress> addresses, int port)
    {
        foreach (var address in addresses)
        {
            if (!_allowLinkLocal && RestrictedAddresses.IsRestricted(address))
            {
                return $"it resolves to {address}, {RestrictedAddresses.Description}; set Gateway__Forwarding__AllowLinkLocalBackends=true if this is really meant";
            }

            if (!_allowSelf && IsGatewayItself(address, port))
            {
                return $"{address}:{port} is the gateway's own listening address, so the request would loop; set Gateway__Forwarding__AllowSelfForwarding=true if this is really meant";
            }
        }

        return addresses.Count == 0 ? "the name resolves to no address" : null;
    }

    private bool IsGatewayItself(IPAddress address, int port)
    {
        if (!ListensOn(port))
        {
            return false;
        }

        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return IPAddress.IsLoopback(plain) || _localAddresses.Value.Contains(plain);
    }

    // Read at each new connection (pooled, so rarely): the server knows its ports only once it has started.
    private bool ListensOn(int port)
    {
        if (_server?.Features.Get<IServerAddressesFeature>()?.Addresses is not { } listening)
        {
            return false;
        }

        foreach (var address in listening)
        {
            var hostStart = address.IndexOf("://", StringComparison.Ordinal);
            var portStart = address.LastIndexOf(':');
            if (portStart > hostStart + 2 && int.TryParse(address.AsSpan(portStart + 1).TrimEnd('/'), out var listeningPort) && listeningPort == port)
            {
                return true;
            }
        }

        return false;
    }

    private static HashSet<IPAddress> LocalInterfaceAddresses()
    {
        var addresses = new HashSet<IPAddress>();
        try
        {
            foreach (var unicast in NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses))
            {
                var address = unicast.Address;
                addresses.Add(address.ScopeId == 0 ? address : new IPAddress(address.GetAddressBytes()));
            }
        }
        catch (NetworkInformationException)
        {
            // Sandboxes may hide the interfaces; loopback addresses are still recognised.
        }

        return addresses;
    }

    private static partial class Log
    {
        [LoggerMessage(421, LogLevel.Warning, "Refused to connect to backend {Host}:{Port}: {Reason}.")]
        public static partial void ConnectionRefused(ILogger logger, string host, int port, string reason);
    }
}
