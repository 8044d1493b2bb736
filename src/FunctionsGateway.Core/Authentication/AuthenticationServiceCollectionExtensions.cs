using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Authentication;

/// <summary>Registers authentication; the gateway's <c>AddGateway</c> calls it.</summary>
internal static class AuthenticationServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GatewayAuthenticator"/> and everything it uses as singletons, binds
    /// <see cref="AuthenticationOptions"/> from <c>Gateway:Authentication</c> and validates them at
    /// start. An <see cref="IApiKeyLookup"/> or <see cref="TimeProvider"/> registered before this
    /// call is kept; otherwise keys are read from the table that <see cref="ApiKeyTable"/> opens.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The root configuration (it also supplies <c>Gateway:Storage</c> and <c>Gateway:Tables</c>).</param>
    public static IServiceCollection AddGatewayAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<AuthenticationOptions>()
            .Bind(configuration.GetSection(AuthenticationOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthenticationOptions>, AuthenticationOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient(MetadataDocumentRetriever.HttpClientName)
            .ConfigureHttpClient((provider, client) =>
            {
                client.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<AuthenticationOptions>>().Value.MetadataTimeoutSeconds);
                client.MaxResponseContentBufferSize = 1024 * 1024;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                ConnectTimeout = TimeSpan.FromSeconds(5),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });

        services.TryAddSingleton<IApiKeyLookup>(_ => new TableApiKeyLookup(ApiKeyTable.Create(configuration, HotPathTableOptions())));
        services.TryAddSingleton<ApiKeyAuthenticator>();
        services.TryAddSingleton<FailedAuthThrottle>();
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<AuthenticationOptions>>();
            return new JwtValidator(
                options,
                new MetadataDocumentRetriever(provider.GetRequiredService<IHttpClientFactory>(), options.Value.RequireHttpsMetadata),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILoggerFactory>(),
                provider.GetRequiredService<IOptions<RateLimiting.RateLimitingOptions>>().Value.PlanClaim);
        });
        services.TryAddSingleton<GatewayAuthenticator>();
        return services;
    }

    // A key lookup sits on the request path: fail in about two seconds rather than the SDK's
    // default 100-second network timeout with three retries (docs/architecture.md, Settings).
    private static TableClientOptions HotPathTableOptions()
    {
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(2);
        return options;
    }
}
