using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// What an operator may write in a <c>Backends</c> row (PartitionKey: pool, RowKey: backend id), and the
/// problem they get for each mistake.
/// </summary>
public sealed class BackendRowValidatorTests
{
    [Fact]
    public void Validate_UrlOnly_ServesWithDefaults()
    {
        var entity = new TableEntity("orders", "eu-1") { ["Url"] = "https://orders-eu.internal.contoso.com" };

        var (backend, problems) = Validate(entity);

        Assert.Empty(problems);
        Assert.NotNull(backend);
        Assert.Equal(new RowId("Backends", "orders", "eu-1"), backend.Id);
        Assert.Equal(new Uri("https://orders-eu.internal.contoso.com"), backend.Url);
        Assert.Equal(1, backend.Weight);
        Assert.Equal(0, backend.Priority);
        Assert.Equal("/health", backend.HealthPath);
        Assert.True(backend.Enabled);
    }

    [Fact]
    public void Validate_EveryColumnSet_ServesWithThoseValues()
    {
        var entity = new TableEntity("orders", "dr-1")
        {
            ["Url"] = "http://10.0.0.4:8080/api",
            ["Weight"] = "250",
            ["Priority"] = 100,
            ["HealthPath"] = "/status/ready",
            ["Enabled"] = "false",
        };

        var (backend, problems) = Validate(entity);

        Assert.Empty(problems);
        Assert.NotNull(backend);
        Assert.Equal(new Uri("http://10.0.0.4:8080/api"), backend.Url);
        Assert.Equal(250, backend.Weight);
        Assert.Equal(100, backend.Priority);
        Assert.Equal("/status/ready", backend.HealthPath);
        Assert.False(backend.Enabled);
    }

    // ---- Url ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_UrlMissingOrEmpty_ReportsUrlRequiredWithAnExample(string? url)
    {
        var entity = new TableEntity("orders", "eu-1");
        if (url is not null)
        {
            entity["Url"] = url;
        }

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("Url", problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal("is required; write the backend's base address, such as https://orders-eu.internal.contoso.com", problem.Message);
    }

    [Fact]
    public void Validate_UrlStoredAsNumber_ReportsStoreItAsString()
    {
        var entity = new TableEntity("orders", "eu-1") { ["Url"] = 42 };

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("Url", problem.Column);
        Assert.Equal("is stored as 42 (Int32); store it as a String", problem.Message);
    }

    [Theory]
    [InlineData("orders-eu.internal")]
    [InlineData("/api")]
    [InlineData("ftp://orders-eu.internal")]
    public void Validate_UrlNotAnAbsoluteHttpUrl_ReportsTheValueAndAnExample(string url)
    {
        var entity = new TableEntity("orders", "eu-1") { ["Url"] = url };

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("Url", problem.Column);
        Assert.Equal(
            $"'{url}' is not an absolute http or https URL; write a base address such as https://orders.internal.contoso.com or http://10.0.0.4:8080/api",
            problem.Message);
    }

    [Theory]
    [InlineData("https://orders-eu.internal/?code=secret", "https://orders-eu.internal/?code=***")]
    [InlineData("https://admin:secret@orders-eu.internal", "https://***@orders-eu.internal")]
    public void Validate_UrlWithQueryOrCredentials_ReportsBaseAddressOnly_WithoutQuotingCredentials(string url, string quoted)
    {
        var entity = new TableEntity("orders", "eu-1") { ["Url"] = url };

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("Url", problem.Column);
        Assert.Equal($"'{quoted}' must be a base address only: no query string, fragment or user:password@", problem.Message);
    }

    // ---- Weight and Priority ---------------------------------------------------------------------------------

    [Fact]
    public void Validate_WeightZero_IsValidAndDrainsTheBackend()
    {
        var entity = ValidRow();
        entity["Weight"] = 0;

        var (backend, problems) = Validate(entity);

        Assert.Empty(problems);
        Assert.Equal(0, backend?.Weight);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Validate_WeightOutOfRange_ReportsTheValueAndTheRange(int weight)
    {
        var entity = ValidRow();
        entity["Weight"] = weight;

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("Weight", problem.Column);
        Assert.Equal($"{weight} is out of range; write a number from 0 to 1000", problem.Message);
    }

    [Fact]
    public void Validate_WeightStoredAsDecimal_ReportsNotAWholeNumber()
    {
        var entity = ValidRow();
        entity["Weight"] = 0.5;

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("Weight", problem.Column);
        Assert.Equal("0.5 (Double) is not a whole number; write a number from 0 to 1000", problem.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void Validate_PriorityOutOfRange_ReportsTheValueAndTheRange(int priority)
    {
        var entity = ValidRow();
        entity["Priority"] = priority;

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("Priority", problem.Column);
        Assert.Equal($"{priority} is out of range; write a number from 0 to 100", problem.Message);
    }

    [Fact]
    public void Validate_PriorityNotANumber_ReportsTheValue()
    {
        var entity = ValidRow();
        entity["Priority"] = "backup";

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("Priority", problem.Column);
        Assert.Equal("'backup' is not a whole number; write a number from 0 to 100", problem.Message);
    }

    // ---- HealthPath -----------------------------------------------------------------------------------------------

    [Fact]
    public void Validate_HealthPathAbsent_ProbesSlashHealth()
    {
        var entity = ValidRow();

        var (backend, _) = Validate(entity);

        Assert.Equal("/health", backend?.HealthPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_HealthPathPresentButEmpty_TurnsActiveProbesOff(string healthPath)
    {
        var entity = ValidRow();
        entity["HealthPath"] = healthPath;

        var (backend, problems) = Validate(entity);

        Assert.Empty(problems);
        Assert.NotNull(backend);
        Assert.Null(backend.HealthPath);
    }

    [Theory]
    [InlineData("health")]
    [InlineData("//evil.example/health")]
    [InlineData("/health check")]
    [InlineData("https://orders-eu.internal/health")]
    public void Validate_HealthPathNotAPath_ReportsTheValueAndWhatToWrite(string healthPath)
    {
        var entity = ValidRow();
        entity["HealthPath"] = healthPath;

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("HealthPath", problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal(
            $"'{healthPath}' is not a path; write one starting with '/', such as /health, or leave it empty to turn active probes off",
            problem.Message);
    }

    [Fact]
    public void Validate_HealthPathWithQuery_IsAccepted()
    {
        var entity = ValidRow();
        entity["HealthPath"] = "/health?deep=true";

        var (backend, problems) = Validate(entity);

        Assert.Empty(problems);
        Assert.Equal("/health?deep=true", backend?.HealthPath);
    }

    // ---- Enabled and other columns ----------------------------------------------------------------------------

    [Fact]
    public void Validate_EnabledFalse_IsValidAndKeptInThePoolAsDisabled()
    {
        var entity = ValidRow();
        entity["Enabled"] = false;

        var (backend, problems) = Validate(entity);

        Assert.Empty(problems);
        Assert.NotNull(backend);
        Assert.False(backend.Enabled);
    }

    [Fact]
    public void Validate_EnabledNeitherTrueNorFalse_ReportsTheValue()
    {
        var entity = ValidRow();
        entity["Enabled"] = "yes";

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("Enabled", problem.Column);
        Assert.Equal("'yes' is not a boolean; write true or false", problem.Message);
    }

    [Theory]
    [InlineData("weight", "Weight")]
    [InlineData("URL", "Url")]
    [InlineData("enabled", "Enabled")]
    public void Validate_KnownColumnWrittenInAnotherCase_IsAnErrorAndTheBackendIsNotServed(string written, string column)
    {
        var entity = ValidRow();
        entity[written] = "0";

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        var problem = Assert.Single(problems);
        Assert.Equal(written, problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal($"column names are case-sensitive: rename '{written}' to '{column}'", problem.Message);
    }

    [Fact]
    public void Validate_RouteColumnOnABackendRow_WarnsAsUnknown()
    {
        var entity = ValidRow();
        entity["Path"] = "/orders";

        var (backend, problems) = Validate(entity);

        Assert.NotNull(backend);
        var problem = Assert.Single(problems);
        Assert.Equal("Path", problem.Column);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
    }

    [Fact]
    public void Validate_SeveralMistakes_ReportsEachOne()
    {
        var entity = new TableEntity("orders", "eu-1")
        {
            ["Url"] = "orders-eu",
            ["Weight"] = -1,
            ["Priority"] = "abc",
            ["Enabled"] = "maybe",
            ["HealthPath"] = "health",
        };

        var (backend, problems) = Validate(entity);

        Assert.Null(backend);
        Assert.Equal(["Url", "Weight", "Priority", "Enabled", "HealthPath"], problems.Select(p => p.Column));
    }

    private static TableEntity ValidRow() => new("orders", "eu-1") { ["Url"] = "https://orders-eu.internal.contoso.com" };

    private static (BackendDefinition? Backend, IReadOnlyList<ConfigProblem> Problems) Validate(TableEntity entity)
    {
        var row = new RowReader("Backends", entity);
        var backend = BackendRowValidator.Validate(row, entity);
        return (backend, row.Problems);
    }
}
