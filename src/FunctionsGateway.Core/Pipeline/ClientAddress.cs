using System.Net;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Pipeline;

/// <summary>
/// The client's address as the gateway reports it everywhere: in <c>X-Forwarded-For</c>, the access log and
/// rate-limit keys. It is the connection's remote address, an IPv4-mapped IPv6 address written as IPv4. One place,
/// so that how the client is known changes for all of them at once.
/// </summary>
internal static class ClientAddress
{
    /// <summary>The client's address, or null when the server does not know it.</summary>
    public static IPAddress? Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Normalize(context.Connection.RemoteIpAddress);
    }

    /// <summary>The address as the gateway reports it: an IPv4-mapped IPv6 address as IPv4.</summary>
    public static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    /// <summary>The client's address as text; empty when the server does not know it.</summary>
    public static string TextOf(HttpContext context) => Of(context)?.ToString() ?? string.Empty;
}
