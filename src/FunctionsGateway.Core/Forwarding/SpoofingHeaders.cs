using System.Net.Http.Headers;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Removes client headers with which a backend could be told something the gateway did not check:
/// <list type="bullet">
/// <item><description>method overrides (<c>X-HTTP-Method-Override</c>, <c>X-HTTP-Method</c>, <c>X-Method-Override</c>),
/// in any spelling: the gateway matched the route, and checked its <c>Methods</c> and protection, for the method
/// on the request line; a backend that honoured an override would run, say, a DELETE the route never allowed;</description></item>
/// <item><description>forwarding headers spelt with <c>_</c> (<c>X_Forwarded_For</c>, <c>X_Real_IP</c>): the gateway
/// sets <c>X-Forwarded-*</c> itself, and a CGI-style backend reads the underscore spelling as the same header
/// (<see cref="HeaderNameSpelling"/>), so a client could forge its address with it. A trusted proxy in front
/// (<c>TrustForwardedHeaders</c>) writes the <c>-</c> spelling, which is handled where forwarding headers are set.</description></item>
/// </list>
/// </summary>
internal static class SpoofingHeaders
{
    private static readonly string[] MethodOverrides = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

    /// <summary>
    /// Headers that say where a request came from. The gateway removes the client's copies and sets its own
    /// (unless <c>TrustForwardedHeaders</c>); spelt with <c>_</c> they are removed always.
    /// </summary>
    public static readonly string[] Forwarding =
    [
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "Forwarded",
        "X-Original-For", "X-Original-Proto", "X-Original-Host", "X-Real-IP", "X-Client-IP",
    ];

    /// <summary>Removes every such header from <paramref name="headers"/>; allocates nothing when there is none.</summary>
    public static void Remove(HttpHeaders headers) => HeaderRemoval.RemoveWhere(headers, 0, static (name, _) => IsSpoofing(name));

    /// <summary>
    /// Removes the client's copies of the <see cref="Forwarding"/> headers (in any case) from <paramref name="headers"/>:
    /// one pass over the headers there are, allocating nothing when there is none, instead of a lookup per name.
    /// </summary>
    public static void RemoveForwarding(HttpHeaders headers) => HeaderRemoval.RemoveWhere(headers, 0, static (name, _) => IsForwarding(name));

    private static bool IsForwarding(string name)
    {
        foreach (var candidate in Forwarding)
        {
            if (string.Equals(name, candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="name"/> is removed: a method override in any spelling, or a forwarding header spelt with '_'.</summary>
    internal static bool IsSpoofing(string name)
    {
        foreach (var candidate in MethodOverrides)
        {
            if (HeaderNameSpelling.Same(name, candidate))
            {
                return true;
            }
        }

        if (!name.Contains('_'))
        {
            return false;
        }

        foreach (var candidate in Forwarding)
        {
            if (HeaderNameSpelling.Same(name, candidate))
            {
                return true;
            }
        }

        return false;
    }
}
