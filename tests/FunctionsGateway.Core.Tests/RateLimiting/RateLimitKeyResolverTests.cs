using System.Net;
using FunctionsGateway.Authentication;
using FunctionsGateway.RateLimiting;
using Microsoft.AspNetCore.Http;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>What a request is counted by, for each <c>RateLimitBy</c>.</summary>
public sealed class RateLimitKeyResolverTests
{
    private static readonly GatewayIdentity Contoso = GatewayIdentity.FromApiKey("contoso", new string('a', 64), "gold", []);

    [Fact]
    public void Resolve_ConsumerOfAnAuthenticatedCaller_IsTheConsumer()
    {
        var key = RateLimitKeyResolver.Resolve(RateLimitKeySource.Consumer, Contoso, Request("10.0.0.1"));

        Assert.Equal("consumer:contoso", key);
    }

    [Fact]
    public void Resolve_ConsumerOfAnAnonymousCaller_IsTheClientAddress()
    {
        var key = RateLimitKeyResolver.Resolve(RateLimitKeySource.Consumer, GatewayIdentity.Anonymous, Request("10.0.0.1"));

        Assert.Equal("ip:10.0.0.1", key);
    }

    [Fact]
    public void Resolve_IpFromAnIPv4MappedAddress_IsTheIPv4Address()
    {
        var key = RateLimitKeyResolver.Resolve(new RateLimitKeySource(RateLimitKeyKind.Ip), Contoso, Request("::ffff:10.0.0.2"));

        Assert.Equal("ip:10.0.0.2", key);
    }

    [Fact]
    public void Resolve_Route_IsOneKeyForEveryone()
    {
        var key = RateLimitKeyResolver.Resolve(new RateLimitKeySource(RateLimitKeyKind.Route), Contoso, Request("10.0.0.1"));

        Assert.Equal("route", key);
    }

    [Fact]
    public void Resolve_HeaderPresent_IsItsValue()
    {
        var context = Request("10.0.0.1");
        context.Request.Headers["X-Tenant"] = "t1";

        var key = RateLimitKeyResolver.Resolve(new RateLimitKeySource(RateLimitKeyKind.Header, "X-Tenant"), Contoso, context);

        Assert.Equal("header:t1", key);
    }

    [Fact]
    public void Resolve_HeaderAbsent_IsTheSharedAbsentKey()
    {
        var key = RateLimitKeyResolver.Resolve(new RateLimitKeySource(RateLimitKeyKind.Header, "X-Tenant"), Contoso, Request("10.0.0.1"));

        Assert.Equal("header-absent", key);
    }

    [Fact]
    public void Resolve_ClaimOfACallerWithoutToken_IsTheSharedAbsentKey()
    {
        var key = RateLimitKeyResolver.Resolve(new RateLimitKeySource(RateLimitKeyKind.Claim, "tid"), Contoso, Request("10.0.0.1"));

        Assert.Equal("claim-absent", key);
    }

    private static DefaultHttpContext Request(string address)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(address);
        return context;
    }
}
