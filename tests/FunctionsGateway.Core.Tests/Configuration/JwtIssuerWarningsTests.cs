using Azure.Data.Tables;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>A route that accepts JWTs while no issuer is configured is named on the status listing, with what to set.</summary>
public sealed class JwtIssuerWarningsTests
{
    [Fact]
    public void Build_JwtRouteWithoutAnyIssuer_WarnsOnItsAuthColumnWithWhatToSet()
    {
        TableEntity[] routes = [Route("orders", "jwt")];

        var snapshot = Build(routes, jwtIssuerConfigured: false);

        var problem = Assert.Single(snapshot.Problems);
        Assert.Equal((new RowId("Routes", "public", "orders"), "Auth", ProblemSeverity.Warning), (problem.Row, problem.Column, problem.Severity));
        Assert.Equal(
            "is 'jwt' but no JWT issuer is configured, so every token is refused as 'issuer is not trusted'. "
            + "Set Gateway__Authentication__Issuers__0__Authority (with __Audiences__0) to your identity provider (docs/auth.md), "
            + "or set Auth to apikey or anonymous",
            problem.Message);
    }

    [Fact]
    public void Build_JwtOrApiKeyRouteWithoutAnyIssuer_SaysApiKeysStillWork()
    {
        var snapshot = Build([Route("orders", "jwt|apikey")], jwtIssuerConfigured: false);

        var problem = Assert.Single(snapshot.Problems);
        Assert.StartsWith("is 'jwt|apikey' but no JWT issuer is configured, so every token is refused as 'issuer is not trusted' (API keys still work). ",
            problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jwt", true)]
    [InlineData("apikey", false)]
    [InlineData("anonymous", false)]
    public void Build_JwtRouteWithAnIssuerOrARouteWithoutJwt_IsNotReported(string auth, bool jwtIssuerConfigured)
    {
        var snapshot = Build([Route("orders", auth)], jwtIssuerConfigured);

        Assert.Empty(snapshot.Problems);
    }

    private static GatewaySnapshot Build(IReadOnlyList<TableEntity> routes, bool jwtIssuerConfigured) =>
        GatewaySnapshotBuilder.Build("Routes", routes, "Backends", [], GatewaySnapshot.Empty, DateTimeOffset.UnixEpoch, jwtIssuerConfigured: jwtIssuerConfigured);

    private static TableEntity Route(string rowKey, string auth) =>
        new("public", rowKey) { ["Path"] = "/orders", ["Backend"] = "https://orders.internal", ["Auth"] = auth };
}
