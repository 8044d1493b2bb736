using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FunctionsGateway.Authentication;
using Microsoft.IdentityModel.Tokens;

namespace FunctionsGateway.Core.Tests.Authentication;

/// <summary>
/// Mints JWTs by hand (header and payload JSON, base64url, signature) so tests control every
/// byte, including the malicious ones.
/// </summary>
internal static class TestTokens
{
    public const string Audience = "api://orders";

    /// <summary>A payload valid at <paramref name="now"/> for <paramref name="issuer"/>.</summary>
    public static Dictionary<string, object?> Payload(string issuer, DateTimeOffset now) => new()
    {
        ["iss"] = issuer,
        ["aud"] = Audience,
        ["sub"] = "user-42",
        ["azp"] = "client-app",
        ["tid"] = "tenant-1",
        ["scp"] = "orders.read orders.write",
        ["roles"] = new[] { "Orders.Admin" },
        ["iat"] = now.ToUnixTimeSeconds(),
        ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
        ["exp"] = now.AddMinutes(10).ToUnixTimeSeconds(),
    };

    public static Dictionary<string, object?> Header(TestSigningKey key) => new()
    {
        ["alg"] = key.Algorithm,
        ["typ"] = "JWT",
        ["kid"] = key.Kid,
    };

    /// <summary>A token signed by <paramref name="key"/>; <paramref name="edit"/> may change header and payload first.</summary>
    public static string Sign(
        TestSigningKey key,
        Dictionary<string, object?> payload,
        Action<Dictionary<string, object?>>? editHeader = null)
    {
        var header = Header(key);
        editHeader?.Invoke(header);
        var signingInput = Encode(header) + "." + Encode(payload);
        return signingInput + "." + Base64UrlEncoder.Encode(key.Sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>An unsigned token: <c>alg: none</c> and an empty signature.</summary>
    public static string Unsigned(Dictionary<string, object?> payload) =>
        Encode(new Dictionary<string, object?> { ["alg"] = "none", ["typ"] = "JWT" }) + "." + Encode(payload) + ".";

    /// <summary>HS256 with <paramref name="secret"/> as the HMAC key (the RS/HS confusion attack).</summary>
    public static string Hs256(byte[] secret, string kid, Dictionary<string, object?> payload)
    {
        var header = new Dictionary<string, object?> { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = kid };
        var signingInput = Encode(header) + "." + Encode(payload);
        return signingInput + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput)));
    }

    public static string Encode(Dictionary<string, object?> json) =>
        Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(json));
}
