using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FunctionsGateway.RateLimiting;

/// <summary>
/// The name of a counter, its PartitionKey in the <c>RateLimits</c> table: a hash of route, limit and key, so any
/// key (a header value, a claim) makes a valid and fixed-length PartitionKey, and each counter has its own partition.
/// </summary>
internal static class RateLimitCounterName
{
    public static string For(string routeId, RateLimitRule rule, string key)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{routeId}\n{rule.Permits}/{rule.WindowSeconds}\n{key}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }
}
