using FunctionsGateway.Authentication;
using FunctionsGateway.Configuration;
using FunctionsGateway.Storage;
using static FunctionsGateway.Core.Tests.Configuration.RouteSetFileTests;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// A file is checked by the gateway's own snapshot build with the gateway's settings, so it reports what a gateway
/// loading those rows would report, word for word, including problems across rows.
/// </summary>
public sealed class RouteSetValidatorTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Validate_SameRowsAsTheTables_ReportsExactlyWhatTheSnapshotBuildReports()
    {
        RouteSetRow[] rows =
        [
            Row(RouteSetTable.Routes, "public", "orders", ("Path", "/orders"), ("Pool", "missing")),
            Row(RouteSetTable.Routes, "public", "slow", ("Path", "/slow"), ("Backend", "http://127.0.0.1:1"), ("TimeoutSeconds", "soon")),
            Row(RouteSetTable.Routes, "public", "jwt", ("Path", "/jwt"), ("Backend", "http://127.0.0.1:1"), ("Auth", "jwt")),
            Row(RouteSetTable.Routes, "public", "a", ("Path", "/same"), ("Backend", "http://127.0.0.1:1")),
            Row(RouteSetTable.Routes, "public", "b", ("Path", "/same"), ("Backend", "http://127.0.0.1:2")),
            Row(RouteSetTable.Backends, "pool", "x", ("Url", "ftp://nowhere")),
        ];
        var expected = GatewaySnapshotBuilder.Build(
            "Routes", [.. rows.Where(r => r.Table == RouteSetTable.Routes).Select(r => r.ToEntity())],
            "Backends", [.. rows.Where(r => r.Table == RouteSetTable.Backends).Select(r => r.ToEntity())],
            GatewaySnapshot.Empty, Now, jwtIssuerConfigured: false).Problems;

        var problems = RouteSetValidator.Validate(rows, new TableNames(), new GatewayOptions(), new AuthenticationOptions(), Now);

        Assert.Equal(expected.Select(p => p.ToString()), problems.Select(p => p.ToString()));
        Assert.Contains(problems, p => p.Column == "Pool" && p.Message.StartsWith("names the pool 'missing'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Column == "Auth" && p.Severity == ProblemSeverity.Warning);
        Assert.Contains(problems, p => p.Row.RowKey == "b" && p.Severity == ProblemSeverity.Warning);
        Assert.Contains(problems, p => p.Row.Table == "Backends" && p.Severity == ProblemSeverity.Error);
    }

    [Fact]
    public void Validate_ConfiguredTableNames_NameTheRowsAsTheGatewayDoes()
    {
        RouteSetRow[] rows = [Row(RouteSetTable.Routes, "public", "bad", ("Path", "/bad"))];

        var problem = Assert.Single(RouteSetValidator.Validate(rows, new TableNames { Routes = "EdgeRoutes" }, new GatewayOptions(), Issuer("api://orders"), Now));

        Assert.Equal(new RowId("EdgeRoutes", "public", "bad"), problem.Row);
    }

    [Fact]
    public void Validate_AudienceOfAConfiguredIssuer_IsAcceptedAndAnotherIsAnError()
    {
        RouteSetRow[] rows =
        [
            Row(RouteSetTable.Routes, "public", "ok", ("Path", "/ok"), ("Backend", "http://127.0.0.1:1"), ("Auth", "jwt"), ("Audiences", "api://orders")),
            Row(RouteSetTable.Routes, "public", "bad", ("Path", "/bad"), ("Backend", "http://127.0.0.1:1"), ("Auth", "jwt"), ("Audiences", "api://billing")),
        ];

        var problems = RouteSetValidator.Validate(rows, new TableNames(), new GatewayOptions(), Issuer("api://orders"), Now);

        var problem = Assert.Single(problems);
        Assert.Equal(("bad", "Audiences", ProblemSeverity.Error), (problem.Row.RowKey, problem.Column, problem.Severity));
    }

    [Fact]
    public void Validate_LinkLocalBackend_FollowsTheGatewaySetting()
    {
        RouteSetRow[] rows = [Row(RouteSetTable.Routes, "public", "meta", ("Path", "/meta"), ("Backend", "http://169.254.169.254"))];
        var allowing = new GatewayOptions();
        allowing.Forwarding.AllowLinkLocalBackends = true;

        var refused = RouteSetValidator.Validate(rows, new TableNames(), new GatewayOptions(), Issuer("api://orders"), Now);
        var allowed = RouteSetValidator.Validate(rows, new TableNames(), allowing, Issuer("api://orders"), Now);

        Assert.Contains(refused, p => p.Severity == ProblemSeverity.Error && p.Column == "Backend");
        Assert.Empty(allowed);
    }

    [Fact]
    public void TrustedAudiences_BlankAndPaddedEntries_AreSkippedAndTrimmed()
    {
        var authentication = Issuer(" api://orders ");
        authentication.Issuers[0].Audiences.Add(" ");

        var audiences = RouteSetValidator.TrustedAudiences(authentication);

        Assert.Equal(["api://orders"], audiences);
    }

    private static AuthenticationOptions Issuer(string audience)
    {
        var options = new AuthenticationOptions();
        var issuer = new JwtIssuerOptions { Authority = "https://login.example/" };
        issuer.Audiences.Add(audience);
        options.Issuers.Add(issuer);
        return options;
    }
}
