using FunctionsGateway.Authentication;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class AuthPolicyTests
{
    [Theory]
    [InlineData(null, "anonymous")]
    [InlineData("", "anonymous")]
    [InlineData("anonymous", "anonymous")]
    [InlineData("apikey", "apikey")]
    [InlineData("ApiKey", "apikey")]
    [InlineData("jwt", "jwt")]
    [InlineData("JWT", "jwt")]
    [InlineData("jwt|apikey", "jwt|apikey")]
    [InlineData(" apikey | jwt ", "jwt|apikey")]
    public void TryParse_AuthColumn_GivesTheMode(string? auth, string expected)
    {
        var ok = AuthPolicy.TryParse(auth, null, null, null, out var policy, out _, out _);

        Assert.True(ok);
        Assert.Equal(expected, policy.ModeName);
    }

    [Theory]
    [InlineData("jwt|basic", "'jwt|basic' is not an auth method; use anonymous, apikey, jwt or jwt|apikey")]
    [InlineData("oauth", "'oauth' is not an auth method; use anonymous, apikey, jwt or jwt|apikey")]
    [InlineData("jwt|jwt", "'jwt|jwt' is not an auth method; use anonymous, apikey, jwt or jwt|apikey")]
    [InlineData("anonymous|jwt", "'anonymous|jwt' is not an auth method; use anonymous, apikey, jwt or jwt|apikey")]
    [InlineData("jwt,apikey", "'jwt,apikey' is not an auth method; use anonymous, apikey, jwt or jwt|apikey")]
    public void TryParse_UnknownAuthMethod_NamesTheValueAndTheAcceptedOnes(string auth, string expected)
    {
        var ok = AuthPolicy.TryParse(auth, null, null, null, out var policy, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("Auth", column);
        Assert.Equal(expected, error);
        Assert.Same(AuthPolicy.Anonymous, policy);
    }

    [Fact]
    public void TryParse_ScopesAndRoles_AreTrimmedDeduplicatedAndAllRequired()
    {
        var ok = AuthPolicy.TryParse("jwt", " orders.read , orders.write,orders.read", "Orders.Admin", null, out var policy, out _, out _);

        Assert.True(ok);
        Assert.Equal(["orders.read", "orders.write"], policy.RequiredScopes.ToArray());
        Assert.Equal(["Orders.Admin"], policy.RequiredRoles.ToArray());
    }

    [Fact]
    public void TryParse_EmptyScopeEntry_ExplainsTheFix()
    {
        var ok = AuthPolicy.TryParse("jwt", "orders.read,,orders.write", null, null, out _, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("Scopes", column);
        Assert.Equal("'orders.read,,orders.write' has an empty entry; list scopes separated by single commas, such as orders.read,orders.write", error);
    }

    [Fact]
    public void TryParse_ScopeWithASpace_ExplainsTheFix()
    {
        var ok = AuthPolicy.TryParse("jwt", "orders read", null, null, out _, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("Scopes", column);
        Assert.Equal("'orders read' is not a scope: a scope is printable ASCII without spaces, quotes or backslashes; separate scopes with commas, such as orders.read,orders.write", error);
    }

    [Fact]
    public void TryParse_RoleWithAQuote_ExplainsTheFix()
    {
        var ok = AuthPolicy.TryParse("jwt", null, "Admin\"", null, out _, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("Roles", column);
        Assert.Equal("'Admin\"' is not a role: a role is printable ASCII without spaces, quotes or backslashes; separate roles with commas, such as Orders.Admin,Orders.Audit", error);
    }

    [Fact]
    public void TryParse_ScopesOnAnAnonymousRoute_ExplainsTheFix()
    {
        var ok = AuthPolicy.TryParse(null, "orders.read", null, null, out _, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("Scopes", column);
        Assert.Equal("Scopes 'orders.read' need an authenticated caller but Auth is anonymous; set Auth to apikey, jwt or jwt|apikey, or leave Scopes empty", error);
    }

    [Fact]
    public void TryParse_RolesOnAnAnonymousRoute_ExplainsTheFix()
    {
        var ok = AuthPolicy.TryParse("anonymous", null, "Orders.Admin", null, out _, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("Roles", column);
        Assert.Equal("Roles 'Orders.Admin' need a JWT caller but Auth is anonymous; set Auth to jwt, or leave Roles empty", error);
    }

    [Theory]
    [InlineData("apikey")]
    [InlineData("jwt|apikey")]
    public void TryParse_RolesWhereApiKeysAreAccepted_ExplainsTheFix(string auth)
    {
        var ok = AuthPolicy.TryParse(auth, null, "Orders.Admin", null, out _, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("Roles", column);
        Assert.Equal($"Roles 'Orders.Admin' come from the JWT 'roles' claim and API keys carry none, so Auth {auth} would refuse every API-key caller; set Auth to jwt, or leave Roles empty", error);
    }

    [Theory]
    [InlineData("anonymous", false)]
    [InlineData("apikey", false)]
    [InlineData("jwt", true)]
    [InlineData("jwt|apikey", true)]
    public void TryParse_NoForwardAuthorization_ForwardsOnlyTokensTheGatewayValidates(string auth, bool expected)
    {
        var ok = AuthPolicy.TryParse(auth, null, null, null, out var policy, out _, out _);

        Assert.True(ok);
        Assert.Equal(expected, policy.ForwardAuthorization);
    }

    [Theory]
    [InlineData("jwt", "false", false)]
    [InlineData("jwt", "False", false)]
    [InlineData("anonymous", "true", true)]
    [InlineData("apikey", " TRUE ", true)]
    public void TryParse_ForwardAuthorizationColumn_Overrides(string auth, string forward, bool expected)
    {
        var ok = AuthPolicy.TryParse(auth, null, null, forward, out var policy, out _, out _);

        Assert.True(ok);
        Assert.Equal(expected, policy.ForwardAuthorization);
    }

    [Fact]
    public void TryParse_ForwardAuthorizationNotABoolean_ExplainsTheFixAndTheDefault()
    {
        var ok = AuthPolicy.TryParse("jwt", null, null, "yes", out _, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("ForwardAuthorization", column);
        Assert.Equal("'yes' is not a boolean; use true or false (empty means true for Auth jwt)", error);
    }

    [Fact]
    public void Equals_SameColumnsParsedTwice_AreEqual()
    {
        AuthPolicy.TryParse("jwt", "a,b", "R", null, out var first, out _, out _);
        AuthPolicy.TryParse("jwt", "a,b", "R", null, out var second, out _, out _);

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void Equals_DifferentScopes_AreNotEqual()
    {
        AuthPolicy.TryParse("jwt", "a,b", null, null, out var first, out _, out _);
        AuthPolicy.TryParse("jwt", "a,c", null, null, out var second, out _, out _);

        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("jwt")]
    [InlineData("jwt|apikey")]
    public void TryParse_AudiencesOnATokenRoute_AreTrimmedDeduplicatedAndKept(string auth)
    {
        var ok = AuthPolicy.TryParse(auth, null, null, null, " api://orders , https://api.contoso.com/orders,api://orders", out var policy, out _, out var error);

        Assert.True(ok, error);
        Assert.Equal(["api://orders", "https://api.contoso.com/orders"], policy.Audiences.ToArray());
    }

    [Fact]
    public void TryParse_NoAudiences_NarrowsNothing()
    {
        var ok = AuthPolicy.TryParse("jwt", null, null, null, null, out var policy, out _, out _);

        Assert.True(ok);
        Assert.Empty(policy.Audiences);
    }

    [Theory]
    [InlineData("anonymous")]
    [InlineData("apikey")]
    public void TryParse_AudiencesWhereNoTokenIsAccepted_ExplainsTheFix(string auth)
    {
        var ok = AuthPolicy.TryParse(auth, null, null, null, "api://orders", out _, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("Audiences", column);
        Assert.Equal($"Audiences 'api://orders' narrow which tokens are accepted but Auth {auth} accepts no token; set Auth to jwt or jwt|apikey, or leave Audiences empty", error);
    }

    [Fact]
    public void TryParse_EmptyAudienceEntry_ExplainsTheFix()
    {
        var ok = AuthPolicy.TryParse("jwt", null, null, null, "api://orders,,api://billing", out _, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("Audiences", column);
        Assert.Equal("'api://orders,,api://billing' has an empty entry; list audiences separated by single commas, such as api://orders,https://api.contoso.com/orders", error);
    }

    [Fact]
    public void TryParse_AudienceWithASpace_ExplainsTheFix()
    {
        var ok = AuthPolicy.TryParse("jwt", null, null, null, "api://orders billing", out _, out var column, out var error);

        Assert.False(ok);
        Assert.Equal("Audiences", column);
        Assert.Equal("'api://orders billing' is not an audience: an audience is printable ASCII without spaces, quotes or backslashes; separate audiences with commas, such as api://orders,https://api.contoso.com/orders", error);
    }

    [Fact]
    public void Equals_DifferentAudiences_AreNotEqual()
    {
        AuthPolicy.TryParse("jwt", null, null, null, "api://orders", out var first, out _, out _);
        AuthPolicy.TryParse("jwt", null, null, null, "api://orders,api://billing", out var second, out _, out _);
        AuthPolicy.TryParse("jwt", null, null, null, null, out var third, out _, out _);

        Assert.NotEqual(first, second);
        Assert.NotEqual(first, third);
    }

    [Theory]
    [InlineData("anonymous", "", "", "anonymous", "", "", true)]
    [InlineData("apikey", "", "", "anonymous", "", "", true)]
    [InlineData("jwt", "", "", "anonymous", "", "", true)]
    [InlineData("jwt|apikey", "", "", "anonymous", "", "", true)]
    [InlineData("anonymous", "", "", "jwt", "", "", false)]
    [InlineData("jwt", "", "", "jwt|apikey", "", "", true)]
    [InlineData("apikey", "", "", "jwt|apikey", "", "", true)]
    [InlineData("jwt|apikey", "", "", "jwt", "", "", false)]
    [InlineData("jwt|apikey", "", "", "apikey", "", "", false)]
    [InlineData("jwt", "", "", "apikey", "", "", false)]
    [InlineData("apikey", "", "", "jwt", "", "", false)]
    [InlineData("jwt", "a,b", "", "jwt", "a", "", true)]
    [InlineData("jwt", "a", "", "jwt", "a,b", "", false)]
    [InlineData("jwt", "A", "", "jwt", "a", "", false)]
    [InlineData("jwt", "", "Admin,Audit", "jwt", "", "Admin", true)]
    [InlineData("jwt", "", "Audit", "jwt", "", "Admin", false)]
    [InlineData("jwt", "a", "", "jwt|apikey", "a", "", true)]
    [InlineData("jwt|apikey", "a,b", "", "jwt|apikey", "b,a", "", true)]
    public void IsAtLeastAsStrictAs_EveryClause_ComparesCredentialsScopesAndRoles(
        string auth, string scopes, string roles, string otherAuth, string otherScopes, string otherRoles, bool expected)
    {
        var policy = Parse(auth, scopes, roles);
        var other = Parse(otherAuth, otherScopes, otherRoles);

        var stricter = policy.IsAtLeastAsStrictAs(other);

        Assert.Equal(expected, stricter);
    }

    [Fact]
    public void IsAtLeastAsStrictAs_OnlyForwardAuthorizationDiffers_BothWays()
    {
        AuthPolicy.TryParse("jwt", null, null, "true", out var forwards, out _, out _);
        AuthPolicy.TryParse("jwt", null, null, "false", out var keeps, out _, out _);

        var both = (forwards.IsAtLeastAsStrictAs(keeps), keeps.IsAtLeastAsStrictAs(forwards));

        Assert.Equal((true, true), both);
    }

    [Theory]
    [InlineData("", "", true)]
    [InlineData("api://orders", "", true)]
    [InlineData("api://orders", "api://orders,api://billing", true)]
    [InlineData("", "api://orders", false)]
    [InlineData("api://orders,api://billing", "api://orders", false)]
    [InlineData("api://billing", "api://orders", false)]
    public void IsAtLeastAsStrictAs_Audiences_FallbackMustAcceptNoAudienceTheOtherRefuses(string audiences, string otherAudiences, bool expected)
    {
        AuthPolicy.TryParse("jwt", null, null, null, audiences, out var policy, out _, out var error);
        AuthPolicy.TryParse("jwt", null, null, null, otherAudiences, out var other, out _, out var otherError);
        Assert.Empty(error + otherError);

        var stricter = policy.IsAtLeastAsStrictAs(other);

        Assert.Equal(expected, stricter);
    }

    private static AuthPolicy Parse(string auth, string scopes, string roles)
    {
        Assert.True(AuthPolicy.TryParse(auth, scopes, roles, null, out var policy, out _, out var error), error);
        return policy;
    }
}
