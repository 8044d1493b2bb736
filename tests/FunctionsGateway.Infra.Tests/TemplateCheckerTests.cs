using System.Text.Json.Nodes;

namespace FunctionsGateway.Infra.Tests;

[Collection(BicepCollection.Name)]
public sealed class TemplateCheckerTests
{
    /// <summary>
    /// One breaking change per rule, applied to a copy of the compiled main.bicep, with a piece of
    /// the violation the checker must report for it.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, (Action<JsonNode> Break, string Expected)> Mutations =
        new Dictionary<string, (Action<JsonNode>, string)>(StringComparer.Ordinal)
        {
            ["storage shared key on"] = (t => Set(t, "Microsoft.Storage/storageAccounts", null, "properties.allowSharedKeyAccess", true), "shared-key access must be disabled"),
            ["storage shared key from an expression"] = (t => Set(t, "Microsoft.Storage/storageAccounts", null, "properties.allowSharedKeyAccess", "[parameters('allowKeys')]"), "shared-key access must be disabled"),
            ["storage TLS 1.0"] = (t => Set(t, "Microsoft.Storage/storageAccounts", null, "properties.minimumTlsVersion", "TLS1_0"), "minimum TLS version must be TLS1_2"),
            ["storage public blobs"] = (t => Set(t, "Microsoft.Storage/storageAccounts", null, "properties.allowBlobPublicAccess", true), "public blob access must be disabled"),
            ["storage plain HTTP"] = (t => Set(t, "Microsoft.Storage/storageAccounts", null, "properties.supportsHttpsTrafficOnly", false), "HTTPS-only traffic"),
            ["table missing"] = (t => Remove(t, "Microsoft.Storage/storageAccounts/tableServices/tables", "RateLimits"), "table 'RateLimits' is not created"),
            ["public container"] = (t => Set(t, "Microsoft.Storage/storageAccounts/blobServices/containers", null, "properties.publicAccess", "Blob"), "must not allow public access"),
            ["site HTTP allowed"] = (t => Set(t, "Microsoft.Web/sites", null, "properties.httpsOnly", false), "HTTPS only must be on"),
            ["site TLS 1.0"] = (t => Set(t, "Microsoft.Web/sites", null, "properties.siteConfig.minTlsVersion", "1.0"), "minimum TLS version must be 1.2"),
            ["runtime version 10"] = (t => Set(t, "Microsoft.Web/sites", null, "properties.functionAppConfig.runtime.version", "10"), "runtime version must be '10.0'"),
            ["runtime in-process"] = (t => Set(t, "Microsoft.Web/sites", null, "properties.functionAppConfig.runtime.name", "dotnet"), "runtime must be dotnet-isolated"),
            ["system-assigned identity"] = (t => Set(t, "Microsoft.Web/sites", null, "identity.type", "SystemAssigned"), "must run as the user-assigned identity"),
            ["no azd tag"] = (t => Set(t, "Microsoft.Web/sites", null, "tags", "[parameters('tags')]"), "tag azd-service-name must be 'api'"),
            ["wrong azd tag"] = (t => Set(t, "Microsoft.Web/sites", null, "tags", new JsonObject { ["azd-service-name"] = "web" }), "found 'web'"),
            ["no HTTP concurrency"] = (t => Remove(t, "Microsoft.Web/sites", null, "properties.functionAppConfig.scaleAndConcurrency.triggers"), "triggers.http.perInstanceConcurrency is not set"),
            ["deployment with a key"] = (t => Set(t, "Microsoft.Web/sites", null, "properties.functionAppConfig.deployment.storage.authentication.type", "StorageAccountConnectionString"), "deployment container must be read with the user-assigned identity"),
            ["consumption plan"] = (t => Set(t, "Microsoft.Web/serverfarms", null, "sku.name", "Y1"), "SKU must be FC1"),
            ["scm basic auth"] = (t => Set(t, "Microsoft.Web/sites/basicPublishingCredentialsPolicies", "scm", "properties.allow", true), "basic-auth publishing (scm)"),
            ["ftp policy missing"] = (t => Remove(t, "Microsoft.Web/sites/basicPublishingCredentialsPolicies", "ftp"), "basic-auth publishing (ftp)"),
            ["storage credential missing"] = (t => Remove(t, "Microsoft.Web/sites/config", "appsettings", "properties.AzureWebJobsStorage__credential"), "AzureWebJobsStorage__credential is missing"),
            ["storage client id missing"] = (t => Remove(t, "Microsoft.Web/sites/config", "appsettings", "properties.AzureWebJobsStorage__clientId"), "AzureWebJobsStorage__clientId is missing"),
            ["AZURE_CLIENT_ID missing"] = (t => Remove(t, "Microsoft.Web/sites/config", "appsettings", "properties.AZURE_CLIENT_ID"), "AZURE_CLIENT_ID is missing"),
            ["table endpoint missing"] = (t => Remove(t, "Microsoft.Web/sites/config", "appsettings", "properties.Gateway__Storage__TableEndpoint"), "Gateway__Storage__TableEndpoint is missing"),
            ["schedule missing"] = (t => Remove(t, "Microsoft.Web/sites/config", "appsettings", "properties.HealthProbeSchedule"), "HealthProbeSchedule is missing"),
            ["telemetry with a key"] = (t => Set(t, "Microsoft.Web/sites/config", "appsettings", "properties.APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "Authorization=Key"), "Entra ingestion"),
            ["storage connection string"] = (t => Set(t, "Microsoft.Web/sites/config", "appsettings", "properties.AzureWebJobsStorage", "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc"), "AzureWebJobsStorage must not be set"),
            ["gateway connection string"] = (t => Set(t, "Microsoft.Web/sites/config", "appsettings", "properties.Gateway__Storage__ConnectionString", "UseDevelopmentStorage=true"), "Gateway__Storage__ConnectionString must not be set"),
            ["other connection string"] = (t => Set(t, "Microsoft.Web/sites/config", "appsettings", "properties.Backend__ConnectionString", "x"), "Backend__ConnectionString looks like a connection string"),
            ["worker runtime setting"] = (t => Set(t, "Microsoft.Web/sites/config", "appsettings", "properties.FUNCTIONS_WORKER_RUNTIME", "dotnet-isolated"), "FUNCTIONS_WORKER_RUNTIME must not be set"),
            ["listKeys anywhere"] = (t => Set(t, "Microsoft.Web/sites/config", "appsettings", "properties.Extra", "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2026-06-01').keys[0].value]"), "secrets: 'listKeys("),
            ["secret output"] = (t => t["outputs"]!["STORAGE_KEY"] = new JsonObject { ["type"] = "string", ["value"] = "x" }, "STORAGE_KEY looks like a secret"),
            ["secure output"] = (t => t["outputs"]!["SOMETHING"] = new JsonObject { ["type"] = "securestring", ["value"] = "x" }, "SOMETHING is of type securestring"),
            ["connection string output"] = (t => t["outputs"]!["APPINSIGHTS"] = new JsonObject { ["type"] = "string", ["value"] = "[reference('appi').ConnectionString]" }, "APPINSIGHTS exposes a connection string"),
            ["required output missing"] = (t => t["outputs"]!.AsObject().Remove("AZURE_STORAGE_TABLE_ENDPOINT"), "AZURE_STORAGE_TABLE_ENDPOINT is missing"),
            ["metrics publisher missing"] = (t => RemoveRole(t, TemplateChecker.MonitoringMetricsPublisher), "needs Monitoring Metrics Publisher"),
            ["blob owner missing"] = (t => RemoveRole(t, TemplateChecker.StorageBlobDataOwner), "needs Storage Blob Data Owner"),
            ["queue role missing"] = (t => RemoveRole(t, TemplateChecker.StorageQueueDataContributor), "needs Storage Queue Data Contributor"),
            ["identity role as user"] = (t => SetRole(t, TemplateChecker.StorageBlobDataOwner, "properties.principalType", "User"), "needs Storage Blob Data Owner"),
            ["operator unconditional"] = (t => SetRole(t, TemplateChecker.StorageTableDataContributor, "condition", null), "optional operator principal"),
            ["owner granted"] = (t => SetRole(t, TemplateChecker.StorageBlobDataOwner, "properties.roleDefinitionId", "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')]"), "Owner must not be assigned"),
            ["app insights local auth"] = (t => Set(t, "Microsoft.Insights/components", null, "properties.DisableLocalAuth", false), "local auth must be disabled (Entra ingestion only)"),
            ["workspace local auth"] = (t => Set(t, "Microsoft.OperationalInsights/workspaces", null, "properties.features.disableLocalAuth", false), "Log Analytics: local auth must be disabled"),
            ["rate-limit alert missing"] = (t => Remove(t, "Microsoft.Insights/scheduledQueryRules", "ratelimit-rejections"), "no log alert on the rate-limit rejections"),
            ["alert measures a missing column"] = (t => SetAlertColumn(t, "failure-rate", "FailurePercent"), "does not produce its metricMeasureColumn 'FailurePercent'"),
            ["alert without action group"] = (t => Set(t, "Microsoft.Insights/scheduledQueryRules", "latency-p95", "properties.actions", new JsonObject()), "must notify the action group"),
            ["workbook missing"] = (t => Remove(t, "Microsoft.Insights/workbooks", null), "workbook: expected one shared workbook"),
            ["preview API"] = (t => Set(t, "Microsoft.Insights/components", null, "apiVersion", "2020-02-02-preview"), "preview API version"),
        };

    private readonly BicepRunsFixture _runs;

    public TemplateCheckerTests(BicepRunsFixture runs)
    {
        _runs = runs;
    }

    public static TheoryData<string> MutationNames => new(Mutations.Keys);

    [Fact]
    public void Check_CompiledMain_ReportsNoViolations()
    {
        var template = _runs.MainTemplate();

        var violations = TemplateChecker.Check(template, AzureYamlServiceName());

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Theory]
    [MemberData(nameof(MutationNames))]
    public void Check_TemplateWithOneRuleBroken_ReportsThatViolation(string mutation)
    {
        var (breakRule, expected) = Mutations[mutation];
        var template = _runs.MainTemplate().DeepClone();
        breakRule(template);

        var violations = TemplateChecker.Check(template, AzureYamlServiceName());

        Assert.True(violations.Any(violation => violation.Contains(expected, StringComparison.Ordinal)),
            $"Expected a violation containing \"{expected}\"; got:{Environment.NewLine}{string.Join(Environment.NewLine, violations)}");
    }

    [Fact]
    public void Check_CompiledMain_TagsTheAppWithTheServiceOfAzureYaml()
    {
        var template = _runs.MainTemplate();

        var violations = TemplateChecker.Check(template, "another-service");

        Assert.Contains(violations, violation => violation.Contains("tag azd-service-name must be 'another-service'", StringComparison.Ordinal));
    }

    private static string AzureYamlServiceName()
    {
        var scalars = AzureYaml.ReadScalars(File.ReadAllText(Path.Combine(RepositoryLayout.Root, "azure.yaml")));
        return scalars.Keys
            .Where(key => key.StartsWith("services.", StringComparison.Ordinal))
            .Select(key => key.Split('.')[1])
            .Distinct(StringComparer.Ordinal)
            .Single();
    }

    private static ArmResource Find(JsonNode template, string type, string? nameContains) =>
        ArmTemplate.Resources(template).First(resource =>
            string.Equals(resource.Type, type, StringComparison.Ordinal)
            && (nameContains is null || resource.Name.Contains(nameContains, StringComparison.Ordinal)));

    private static void Set(JsonNode template, string type, string? nameContains, string path, JsonNode? value) =>
        SetPath(Find(template, type, nameContains).Node, path, value);

    private static void SetPath(JsonObject node, string path, JsonNode? value)
    {
        var steps = path.Split('.');
        var parent = node;
        foreach (var step in steps[..^1])
        {
            parent = (JsonObject)parent[step]!;
        }

        parent[steps[^1]] = value;
    }

    private static void Remove(JsonNode template, string type, string? nameContains, string path)
    {
        var steps = path.Split('.');
        var parent = (JsonObject)ArmTemplate.Get(Find(template, type, nameContains).Node, string.Join('.', steps[..^1]))!;
        Assert.True(parent.Remove(steps[^1]), $"{path} was not there to remove.");
    }

    private static void Remove(JsonNode template, string type, string? nameContains)
    {
        var resource = Find(template, type, nameContains).Node;
        Assert.True(((JsonArray)resource.Parent!).Remove(resource));
    }

    private static IEnumerable<ArmResource> Roles(JsonNode template, string roleId) =>
        ArmTemplate.Resources(template).Where(resource =>
            string.Equals(resource.Type, "Microsoft.Authorization/roleAssignments", StringComparison.Ordinal)
            && ArmTemplate.Text(resource["properties.roleDefinitionId"]).Contains(roleId, StringComparison.Ordinal));

    private static void RemoveRole(JsonNode template, string roleId)
    {
        foreach (var role in Roles(template, roleId).ToList())
        {
            ((JsonArray)role.Node.Parent!).Remove(role.Node);
        }
    }

    private static void SetRole(JsonNode template, string roleId, string path, JsonNode? value)
    {
        foreach (var role in Roles(template, roleId).ToList())
        {
            if (value is null)
            {
                role.Node.Remove(path);
            }
            else
            {
                SetPath(role.Node, path, value.DeepClone());
            }
        }
    }

    private static void SetAlertColumn(JsonNode template, string nameContains, string column)
    {
        var criteria = (JsonArray)Find(template, "Microsoft.Insights/scheduledQueryRules", nameContains)["properties.criteria.allOf"]!;
        criteria[0]!["metricMeasureColumn"] = column;
    }
}
