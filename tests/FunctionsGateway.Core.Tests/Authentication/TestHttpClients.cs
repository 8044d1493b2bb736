using Microsoft.Extensions.DependencyInjection;

namespace FunctionsGateway.Core.Tests.Authentication;

/// <summary>A real <see cref="IHttpClientFactory"/> for tests that fetch from the loopback provider.</summary>
internal static class TestHttpClients
{
    public static IHttpClientFactory Factory { get; } =
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
}
