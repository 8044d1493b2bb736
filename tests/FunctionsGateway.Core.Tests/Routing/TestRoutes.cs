using System.Collections.Immutable;
using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Routing;

/// <summary>Builds routes and requests for routing tests from the same text an operator writes in the Routes table.</summary>
internal static class TestRoutes
{
    /// <summary>A route from table-style text; the route id defaults to the path so failures name the route.</summary>
    public static RouteDefinition Route(
        string path,
        string? rowKey = null,
        string methods = "",
        string hosts = "",
        string headers = "",
        int order = 0,
        string partitionKey = "public",
        string table = "Routes",
        string auth = "",
        string scopes = "",
        string roles = "")
    {
        return new RouteDefinition
        {
            Id = new RowId(table, partitionKey, rowKey ?? path),
            Path = Template(path),
            Methods = [.. Split(methods).Select(m => m.ToUpperInvariant())],
            Hosts = [.. Split(hosts).Select(Host)],
            MatchHeaders = [.. Split(headers).Select(Header)],
            Order = order,
            Auth = Policy(auth, scopes, roles),
            Target = new PoolTarget("orders"),
        };
    }

    /// <summary>A policy from the Auth, Scopes and Roles columns as an operator writes them.</summary>
    public static AuthPolicy Policy(string auth, string scopes = "", string roles = "") =>
        AuthPolicy.TryParse(auth, scopes, roles, null, out var policy, out _, out var error)
            ? policy
            : throw new ArgumentException($"Bad test policy {auth} {scopes} {roles}: {error}", nameof(auth));

    public static RouteTemplate Template(string text) =>
        RouteTemplate.TryParse(text, out var template, out var error)
            ? template
            : throw new ArgumentException($"Bad test template {text}: {error}", nameof(text));

    public static HeaderDictionary Headers(params (string Name, string Value)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, value) in headers)
        {
            // Append drops an empty value, and an empty header is still a header that is present.
            if (dictionary.ContainsKey(name))
            {
                dictionary.Append(name, value);
            }
            else
            {
                dictionary[name] = value;
            }
        }

        return dictionary;
    }

    public static string IdOf(RouteDefinition? route) => route?.Id.RowKey ?? "(no route)";

    private static HostPattern Host(string text) =>
        HostPattern.TryParse(text, out var pattern, out var error)
            ? pattern
            : throw new ArgumentException($"Bad test host {text}: {error}", nameof(text));

    private static HeaderMatch Header(string text) =>
        HeaderMatch.TryParse(text, out var match, out var error)
            ? match
            : throw new ArgumentException($"Bad test header {text}: {error}", nameof(text));

    private static ImmutableArray<string> Split(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
