using System.Net.Http.Headers;

namespace FunctionsGateway.Forwarding;

/// <summary>
/// Removes the headers with which a client asks a backend to treat a request as another method
/// (<c>X-HTTP-Method-Override</c>, <c>X-HTTP-Method</c>, <c>X-Method-Override</c>). The gateway matched the
/// route, and checked its <c>Methods</c> and protection, for the method on the request line; a backend that
/// honoured an override would run, say, a DELETE the route never allowed. Names compare case-insensitively
/// and with '_' for '-', since some servers read <c>X_HTTP_Method_Override</c> as the same header.
/// </summary>
internal static class MethodOverrideHeaders
{
    private static readonly string[] Names = ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"];

    /// <summary>Removes every spelling of the override headers from <paramref name="headers"/>.</summary>
    public static void Remove(HttpHeaders headers)
    {
        // Look first, without allocating: almost no request carries one.
        var any = false;
        foreach (var header in headers.NonValidated)
        {
            if (IsOverride(header.Key))
            {
                any = true;
                break;
            }
        }

        if (!any)
        {
            return;
        }

        var names = new List<string>();
        foreach (var header in headers.NonValidated)
        {
            if (IsOverride(header.Key))
            {
                names.Add(header.Key);
            }
        }

        foreach (var name in names)
        {
            headers.Remove(name);
        }
    }

    /// <summary>Whether <paramref name="name"/> is an override header, in any case, with '-' or '_' between its words.</summary>
    internal static bool IsOverride(string name)
    {
        foreach (var overrideName in Names)
        {
            if (name.Length == overrideName.Length && SameIgnoringCaseAndUnderscore(name, overrideName))
            {
                return true;
            }
        }

        return false;
    }

    private static bool SameIgnoringCaseAndUnderscore(string name, string overrideName)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i] == '_' ? '-' : char.ToUpperInvariant(name[i]);
            if (c != char.ToUpperInvariant(overrideName[i]))
            {
                return false;
            }
        }

        return true;
    }
}
