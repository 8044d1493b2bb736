using Microsoft.Extensions.Options;

namespace FunctionsGateway.Core.Tests;

/// <summary>
/// The settings a deployment sets (Gateway__Section__Name, docs/architecture.md Settings), checked at start: every mistake is
/// reported at once, each naming the setting, the value and what to set instead.
/// </summary>
public sealed class GatewayOptionsValidatorTests
{
    private const string ExactlyOneStorage =
        "Set exactly one of Gateway__Storage__ConnectionString (for example UseDevelopmentStorage=true for Azurite) "
        + "or Gateway__Storage__TableEndpoint (https://ACCOUNT.table.core.windows.net/ with a managed identity).";

    [Fact]
    public void Validate_ConnectionStringAndDefaults_Succeeds()
    {
        var options = ValidOptions();

        var result = Validate(options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("https://account.table.core.windows.net/")]
    [InlineData("http://127.0.0.1:10002/devstoreaccount1")]
    public void Validate_TableEndpointInsteadOfConnectionString_Succeeds(string endpoint)
    {
        var options = ValidOptions();
        options.Storage.ConnectionString = null;
        options.Storage.TableEndpoint = new Uri(endpoint);

        var result = Validate(options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_NoStorageSet_FailsAskingForExactlyOne(string? connectionString)
    {
        var options = ValidOptions();
        options.Storage.ConnectionString = connectionString;

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Equal([ExactlyOneStorage], result.Failures);
    }

    [Fact]
    public void Validate_BothConnectionStringAndTableEndpoint_FailsAskingForExactlyOne()
    {
        var options = ValidOptions();
        options.Storage.TableEndpoint = new Uri("https://account.table.core.windows.net/");

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Equal([ExactlyOneStorage], result.Failures);
    }

    [Theory]
    [InlineData("ftp://account.table.core.windows.net/")]
    [InlineData("account.table.core.windows.net")]
    public void Validate_TableEndpointNotAnAbsoluteHttpsUrl_FailsNamingTheValue(string endpoint)
    {
        var options = ValidOptions();
        options.Storage.ConnectionString = null;
        options.Storage.TableEndpoint = new Uri(endpoint, UriKind.RelativeOrAbsolute);

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Equal(
            [$"Gateway__Storage__TableEndpoint '{endpoint}' must be an absolute https URL such as https://ACCOUNT.table.core.windows.net/."],
            result.Failures);
    }

    [Theory]
    [InlineData("Gateway__Storage__TimeoutSeconds", 0, 1, 60)]
    [InlineData("Gateway__Storage__TimeoutSeconds", 61, 1, 60)]
    [InlineData("Gateway__Configuration__RefreshIntervalSeconds", 0, 1, 3600)]
    [InlineData("Gateway__Configuration__RefreshIntervalSeconds", 3601, 1, 3600)]
    [InlineData("Gateway__Configuration__InitialLoadWaitSeconds", -1, 0, 25)]
    [InlineData("Gateway__Configuration__InitialLoadWaitSeconds", 26, 0, 25)]
    [InlineData("Gateway__Forwarding__ConnectTimeoutSeconds", 0, 1, 120)]
    [InlineData("Gateway__Forwarding__ConnectTimeoutSeconds", 121, 1, 120)]
    [InlineData("Gateway__Forwarding__PooledConnectionIdleTimeoutSeconds", 0, 1, 3600)]
    [InlineData("Gateway__Forwarding__PooledConnectionIdleTimeoutSeconds", 3601, 1, 3600)]
    [InlineData("Gateway__Forwarding__PooledConnectionLifetimeSeconds", 0, 1, 86400)]
    [InlineData("Gateway__Forwarding__PooledConnectionLifetimeSeconds", 86401, 1, 86400)]
    public void Validate_NumberOutOfRange_FailsNamingSettingValueAndRange(string setting, int value, int min, int max)
    {
        var options = ValidOptions();
        Set(options, setting, value);

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Equal([$"{setting} is {value}; use a whole number from {min} to {max}."], result.Failures);
    }

    [Theory]
    [InlineData("Gateway__Storage__TimeoutSeconds", 1)]
    [InlineData("Gateway__Storage__TimeoutSeconds", 60)]
    [InlineData("Gateway__Configuration__RefreshIntervalSeconds", 1)]
    [InlineData("Gateway__Configuration__RefreshIntervalSeconds", 3600)]
    [InlineData("Gateway__Configuration__InitialLoadWaitSeconds", 0)]
    [InlineData("Gateway__Configuration__InitialLoadWaitSeconds", 25)]
    [InlineData("Gateway__Forwarding__ConnectTimeoutSeconds", 1)]
    [InlineData("Gateway__Forwarding__ConnectTimeoutSeconds", 120)]
    [InlineData("Gateway__Forwarding__PooledConnectionIdleTimeoutSeconds", 1)]
    [InlineData("Gateway__Forwarding__PooledConnectionIdleTimeoutSeconds", 3600)]
    [InlineData("Gateway__Forwarding__PooledConnectionLifetimeSeconds", 1)]
    [InlineData("Gateway__Forwarding__PooledConnectionLifetimeSeconds", 86400)]
    public void Validate_NumberAtTheEdgeOfItsRange_Succeeds(string setting, int value)
    {
        var options = ValidOptions();
        Set(options, setting, value);

        var result = Validate(options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_NegativeMaxRequestBodyBytes_FailsNamingTheValue()
    {
        var options = ValidOptions();
        options.Forwarding.MaxRequestBodyBytes = -1;

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Equal(["Gateway__Forwarding__MaxRequestBodyBytes is -1; use a number of bytes of 0 or more, such as 104857600 for 100 MiB."], result.Failures);
    }

    [Fact]
    public void Validate_ZeroMaxRequestBodyBytes_Succeeds()
    {
        var options = ValidOptions();
        options.Forwarding.MaxRequestBodyBytes = 0;

        var result = Validate(options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1Routes")]
    [InlineData("my-routes")]
    [InlineData("my_routes")]
    [InlineData("")]
    [InlineData("R123456789012345678901234567890123456789012345678901234567890123")]
    public void Validate_BadTableName_FailsNamingTheSettingAndTheRule(string name)
    {
        var options = ValidOptions();
        options.Tables.Routes = name;

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Equal([$"Gateway__Tables__Routes '{name}' is not a valid table name; use 3–63 letters and digits, starting with a letter."], result.Failures);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("Routes2")]
    [InlineData("R12345678901234567890123456789012345678901234567890123456789012")]
    public void Validate_GoodTableName_Succeeds(string name)
    {
        var options = ValidOptions();
        options.Tables.Routes = name;

        var result = Validate(options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_TwoSettingsNamingOneTable_Fails()
    {
        var options = ValidOptions();
        options.Tables.Backends = "routes";

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Several Gateway__Tables__* settings name the table 'Routes'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_EachTableNameSetting_IsChecked()
    {
        var options = ValidOptions();
        options.Tables.Routes = "r-1";
        options.Tables.Backends = "b-1";
        options.Tables.BackendHealth = "h-1";
        options.Tables.ApiKeys = "k-1";
        options.Tables.RateLimits = "l-1";
        options.Tables.LastValidRows = "v-1";

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Equal(
            ["Gateway__Tables__Routes", "Gateway__Tables__Backends", "Gateway__Tables__BackendHealth", "Gateway__Tables__ApiKeys", "Gateway__Tables__RateLimits", "Gateway__Tables__LastValidRows"],
            result.Failures.Select(f => f.Split(' ')[0]));
    }

    [Theory]
    [InlineData("Reject", "Keep")]
    [InlineData("keep", "reject")]
    [InlineData(" KEEP ", "Reject")]
    public void Validate_PathSettingsRejectOrKeepInAnyCase_Succeeds(string encodedSlashes, string pathParameters)
    {
        var options = ValidOptions();
        options.Paths.EncodedSlashes = encodedSlashes;
        options.Paths.PathParameters = pathParameters;

        var result = Validate(options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_PathSettingsOtherThanRejectOrKeep_FailNamingSettingValueAndChoices()
    {
        var options = ValidOptions();
        options.Paths.EncodedSlashes = "Allow";
        options.Paths.PathParameters = "";

        var result = Validate(options);

        Assert.Equal(
        [
            "Gateway__Paths__EncodedSlashes is 'Allow'; write Reject (the default: answer 400 invalid_path) or Keep (forward %2F, %5C and \\ as sent, matched inside one segment).",
            "Gateway__Paths__PathParameters is ''; write Reject (the default: answer 400 invalid_path) or Keep (forward ';' path parameters as sent).",
        ], result.Failures);
    }

    [Fact]
    public void Validate_SeveralMistakes_ReportsAllOfThemAtOnce()
    {
        var options = ValidOptions();
        options.Storage.ConnectionString = null;
        options.Storage.TimeoutSeconds = 0;
        options.Configuration.RefreshIntervalSeconds = 0;
        options.Forwarding.MaxRequestBodyBytes = -5;
        options.Tables.Backends = "x";

        var result = Validate(options);

        Assert.True(result.Failed);
        Assert.Collection(
            result.Failures,
            f => Assert.Equal(ExactlyOneStorage, f),
            f => Assert.StartsWith("Gateway__Storage__TimeoutSeconds is 0;", f, StringComparison.Ordinal),
            f => Assert.StartsWith("Gateway__Configuration__RefreshIntervalSeconds is 0;", f, StringComparison.Ordinal),
            f => Assert.StartsWith("Gateway__Forwarding__MaxRequestBodyBytes is -5;", f, StringComparison.Ordinal),
            f => Assert.StartsWith("Gateway__Tables__Backends 'x'", f, StringComparison.Ordinal));
    }

    private static GatewayOptions ValidOptions() => new() { Storage = { ConnectionString = "UseDevelopmentStorage=true" } };

    private static ValidateOptionsResult Validate(GatewayOptions options) =>
        new GatewayOptionsValidator().Validate(Options.DefaultName, options);

    private static void Set(GatewayOptions options, string setting, int value)
    {
        switch (setting)
        {
            case "Gateway__Storage__TimeoutSeconds":
                options.Storage.TimeoutSeconds = value;
                break;
            case "Gateway__Configuration__RefreshIntervalSeconds":
                options.Configuration.RefreshIntervalSeconds = value;
                break;
            case "Gateway__Configuration__InitialLoadWaitSeconds":
                options.Configuration.InitialLoadWaitSeconds = value;
                break;
            case "Gateway__Forwarding__ConnectTimeoutSeconds":
                options.Forwarding.ConnectTimeoutSeconds = value;
                break;
            case "Gateway__Forwarding__PooledConnectionIdleTimeoutSeconds":
                options.Forwarding.PooledConnectionIdleTimeoutSeconds = value;
                break;
            case "Gateway__Forwarding__PooledConnectionLifetimeSeconds":
                options.Forwarding.PooledConnectionLifetimeSeconds = value;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(setting), setting, "no such setting in this test");
        }
    }
}
