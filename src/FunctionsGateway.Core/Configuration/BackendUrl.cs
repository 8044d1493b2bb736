namespace FunctionsGateway.Configuration;

/// <summary>Checks a backend base address written by an operator.</summary>
internal static class BackendUrl
{
    public static bool TryParse(string text, out Uri url, out string error)
    {
        url = null!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")
            || string.IsNullOrEmpty(parsed.Host))
        {
            error = $"'{text}' is not an absolute http or https URL; write a base address such as https://orders.internal.contoso.com or http://10.0.0.4:8080/api";
            return false;
        }

        if (parsed.Query.Length > 0 || parsed.Fragment.Length > 0 || parsed.UserInfo.Length > 0)
        {
            error = $"'{text}' must be a base address only: no query string, fragment or user:password@";
            return false;
        }

        url = parsed;
        error = string.Empty;
        return true;
    }
}
