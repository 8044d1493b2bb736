using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Makes a request that carries <see cref="Header"/> look, to the DevHost, as if it came from that address: how a test
/// sends "a client on another machine" while every byte stays on loopback. Installed ahead of the DevHost's own handling.
/// </summary>
public sealed class RemoteAddressOverride : IStartupFilter
{
    public const string Header = "X-Test-Remote-Address";

    public static void Install(IServiceCollection services) => services.AddSingleton<IStartupFilter, RemoteAddressOverride>();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var address))
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                context.Request.Headers.Remove(Header);
            }

            return following(context);
        });
        next(app);
    };
}
