using System.Net;
using System.Net.Sockets;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Addresses a gateway must not forward to unless the operator allows it
/// (<c>Gateway__Forwarding__AllowLinkLocalBackends</c>): cloud instance-metadata services, which hand out the
/// host's credentials, link-local ranges they live in, and the unspecified address (this machine).
/// </summary>
internal static class RestrictedAddresses
{
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");
    private static readonly IPAddress AlibabaMetadata = IPAddress.Parse("100.100.100.200");

    /// <summary>Host names of metadata services (Google Cloud, AWS), compared case-insensitively.</summary>
    private static readonly HashSet<string> MetadataHostNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal",
    };

    /// <summary>What is refused, for messages.</summary>
    public const string Description = "a cloud metadata or link-local address (169.254.0.0/16, fe80::/10, fd00:ec2::254, 100.100.100.200, metadata.google.internal, 0.0.0.0, ::)";

    /// <summary>True for link-local (169.254.0.0/16, fe80::/10), metadata (fd00:ec2::254, 100.100.100.200) and unspecified addresses.</summary>
    public static bool IsRestricted(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            return (bytes[0] == 169 && bytes[1] == 254) || address.Equals(IPAddress.Any) || address.Equals(AlibabaMetadata);
        }

        return address.IsIPv6LinkLocal || address.Equals(IPAddress.IPv6Any) || Unscoped(address).Equals(AwsMetadataV6);
    }

    /// <summary>True for a host name of a metadata service, such as <c>metadata.google.internal</c>.</summary>
    public static bool IsMetadataHostName(string host) => MetadataHostNames.Contains(host.TrimEnd('.'));

    private static IPAddress Unscoped(IPAddress address) => address.ScopeId == 0 ? address : new IPAddress(address.GetAddressBytes());
}
