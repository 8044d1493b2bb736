using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;

namespace FunctionsGateway.DevHost;

/// <summary>
/// Turns Kestrel's "Failed to bind to address http://127.0.0.1:7071: address already in use." (an
/// <see cref="IOException"/> over an <see cref="AddressInUseException"/>) into one line saying which address and how
/// to choose another, instead of a stack trace.
/// </summary>
internal static partial class AddressInUse
{
    /// <summary>The line to print, or null when <paramref name="exception"/> is another failure.</summary>
    public static string? Describe(IOException exception)
    {
        if (exception.InnerException is not AddressInUseException)
        {
            return null;
        }

        var match = BoundAddress().Match(exception.Message);
        var address = match.Success ? match.Groups["address"].Value : "the address";
        var port = match.Success ? match.Groups["port"].Value : null;
        return $"Cannot listen on {address}: {(port is null ? "it is" : $"port {port} is")} already in use (another DevHost, or another program). "
            + "Stop it, or choose another address: --urls http://localhost:7072 (or ASPNETCORE_URLS=http://localhost:7072).";
    }

    [GeneratedRegex(@"address (?<address>\S+?:(?<port>\d+))")]
    private static partial Regex BoundAddress();
}
