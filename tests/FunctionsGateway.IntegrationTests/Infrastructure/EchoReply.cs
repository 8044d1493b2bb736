using System.Text.Json;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>What an <see cref="FunctionsGateway.DevHost.Samples.EchoBackend"/> said it received.</summary>
public sealed record EchoReply(string Service, string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, long BodyBytes)
{
    public static async Task<EchoReply> ReadAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Expected the backend's echo, got {(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        return new EchoReply(
            json.GetProperty("service").GetString()!,
            json.GetProperty("method").GetString()!,
            json.GetProperty("path").GetString()!,
            json.GetProperty("query").GetString() ?? string.Empty,
            json.GetProperty("headers").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase),
            json.GetProperty("bodyBytes").GetInt64());
    }
}
