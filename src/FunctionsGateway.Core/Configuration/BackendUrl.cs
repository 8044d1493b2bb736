using System.Net;
using FunctionsGateway.Forwarding;

namespace FunctionsGateway.Configuration;

/// <summary>Checks a backend base address written by an operator.</summary>
internal static class BackendUrl
{
    /// <summary>The setting that allows metadata and link-local backends, named in the refusal.</summary>
    public const string AllowLinkLocalSetting = "Gateway__Forwarding__AllowLinkLocalBackends";

    /// <summary>
    /// Parses <paramref name="text"/>. Error messages quote the value with any user:password and secret query values
    /// hidden (<see cref="SecretRedactor"/>): they reach the status listing and the logs.
    /// </summary>
    public static bool TryParse(string text, out Uri url, out string error, bool allowLinkLocal = false)
    {
        url = null!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")
            || string.IsNullOrEmpty(parsed.Host))
        {
            error = $"'{SecretRedactor.Redact(text)}' is not an absolute http or https URL; write a base address such as https://orders.internal.contoso.com or http://10.0.0.4:8080/api";
            return false;
        }

        if (parsed.Query.Length > 0 || parsed.Fragment.Length > 0 || parsed.UserInfo.Length > 0)
        {
            error = $"'{SecretRedactor.Redact(text)}' must be a base address only: no query string, fragment or user:password@";
            return false;
        }

        if (!allowLinkLocal && IsRestricted(parsed))
        {
            error = $"'{text}' points at {RestrictedAddresses.Description}, where cloud hosts serve their credentials; write the backend's own address, or set {AllowLinkLocalSetting}=true if forwarding there is really meant";
            return false;
        }

        url = parsed;
        error = string.Empty;
        return true;
    }

    // Uri has already turned other IPv4 notations (2852039166, 0xA9.0xFE.0xA9.0xFE) into dotted decimal.
    private static bool IsRestricted(Uri url) =>
        IPAddress.TryParse(url.DnsSafeHost, out var address) ? RestrictedAddresses.IsRestricted(address) : RestrictedAddresses.IsMetadataHostName(url.DnsSafeHost);
}
