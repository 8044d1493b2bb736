using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FunctionsGateway.Infra.Tests;

/// <summary>
/// Checks the compiled infra/main.bicep against the deployment's security and wiring rules
/// (issue #4). Collects every violation instead of stopping at the first, so one run says all
/// that is wrong.
/// </summary>
internal static partial class TemplateChecker
{
    public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private const string StorageAccounts = "Microsoft.Storage/storageAccounts";
    private const string Sites = "Microsoft.Web/sites";
    private const string Components = "Microsoft.Insights/components";
    private const string UserAssignedIdentities = "Microsoft.ManagedIdentity/userAssignedIdentities";
    private const string RoleAssignments = "Microsoft.Authorization/roleAssignments";
    private const string ScheduledQueryRules = "Microsoft.Insights/scheduledQueryRules";

    public static readonly IReadOnlyList<string> GatewayTables = ["Routes", "Backends", "BackendHealth", "ApiKeys", "RateLimits", "LastValidRows"];

    /// <summary>Outputs azd and the docs rely on (written to .azure/&lt;env&gt;/.env).</summary>
    public static readonly IReadOnlyList<string> RequiredOutputs =
    [
        "AZURE_LOCATION", "AZURE_TENANT_ID", "AZURE_RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME", "SERVICE_API_NAME",
        "SERVICE_API_URI", "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_TABLE_ENDPOINT",
    ];

    /// <summary>Roles nobody here should get: they can read keys or hand out access.</summary>
    private static readonly IReadOnlyDictionary<string, string> ForbiddenRoles = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635"] = "Owner",
        ["b24988ac-6180-42a0-ab88-20f7382dd24c"] = "Contributor",
        ["18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"] = "User Access Administrator",
        ["17d1049b-9a84-46fb-8f53-869881c3d3ab"] = "Storage Account Contributor",
    };

    /// <summary>Settings that must never be set: key-based storage, or ignored/rejected on Flex.</summary>
    private static readonly IReadOnlyList<string> ForbiddenSettings =
    [
        "AzureWebJobsStorage", "Gateway__Storage__ConnectionString", "APPINSIGHTS_INSTRUMENTATIONKEY",
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
    ];

    /// <summary>Returns every violation found in <paramref name="template"/>; empty when it complies.</summary>
    /// <param name="template">The JSON printed by <c>bicep build infra/main.bicep --stdout</c>.</param>
    /// <param name="serviceName">The azure.yaml service the function app must be tagged with.</param>
    public static IReadOnlyList<string> Check(JsonNode template, string serviceName)
    {
        var violations = new List<string>();
        var resources = ArmTemplate.Resources(template);

        CheckPlainResources(resources, violations);
        CheckStorage(resources, violations);
        CheckFunctionApp(resources, serviceName, violations);
        CheckAppSettings(resources, violations);
        CheckRoleAssignments(resources, violations);
        CheckMonitoring(resources, violations);
        CheckNoSecrets(template, violations);
        CheckOutputs(template, violations);
        return violations;
    }

    private static void CheckPlainResources(IReadOnlyList<ArmResource> resources, List<string> violations)
    {
        foreach (var resource in resources)
        {
            var apiVersion = ArmTemplate.Text(resource.Node["apiVersion"]);
            if (apiVersion.Contains("preview", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add($"{resource.Type} uses the preview API version {apiVersion}; use a GA version.");
            }

            if (resource["properties.templateLink"] is not null)
            {
                violations.Add($"Deployment '{resource.Name}' links an external template; declare resources in infra/ instead.");
            }
        }
    }

    private static void CheckStorage(IReadOnlyList<ArmResource> resources, List<string> violations)
    {
        var accounts = OfType(resources, StorageAccounts);
        if (accounts.Count == 0)
        {
            violations.Add("No storage account is declared.");
        }

        foreach (var account in accounts)
        {
            RequireFalse(account, "properties.allowSharedKeyAccess", "storage: shared-key access must be disabled", violations);
            RequireFalse(account, "properties.allowBlobPublicAccess", "storage: public blob access must be disabled", violations);
            RequireTrue(account, "properties.supportsHttpsTrafficOnly", "storage: HTTPS-only traffic must be required", violations);
            RequireLiteral(account, "properties.minimumTlsVersion", "TLS1_2", "storage: minimum TLS version must be TLS1_2", violations);
        }

        var tables = OfType(resources, $"{StorageAccounts}/tableServices/tables").Select(table => table.NameTail).ToHashSet(StringComparer.Ordinal);
        foreach (var table in GatewayTables.Where(table => !tables.Contains(table)))
        {
            violations.Add($"storage: table '{table}' is not created.");
        }

        var containers = OfType(resources, $"{StorageAccounts}/blobServices/containers");
        if (containers.Count == 0)
        {
            violations.Add("storage: no blob container for the deployment package.");
        }

        foreach (var container in containers)
        {
            RequireLiteral(container, "properties.publicAccess", "None", $"storage: container '{container.NameTail}' must not allow public access", violations);
        }
    }

    private static void CheckFunctionApp(IReadOnlyList<ArmResource> resources, string serviceName, List<string> violations)
    {
        var plans = OfType(resources, "Microsoft.Web/serverfarms");
        if (plans.Count != 1)
        {
            violations.Add($"Expected one App Service plan, found {plans.Count}.");
        }

        foreach (var plan in plans)
        {
            RequireLiteral(plan, "sku.name", "FC1", "plan: SKU must be FC1 (Flex Consumption)", violations);
            RequireLiteral(plan, "sku.tier", "FlexConsumption", "plan: tier must be FlexConsumption", violations);
            RequireTrue(plan, "properties.reserved", "plan: must be Linux (reserved: true)", violations);
        }

        var sites = OfType(resources, Sites);
        if (sites.Count != 1)
        {
            violations.Add($"Expected one function app, found {sites.Count}.");
        }

        if (OfType(resources, UserAssignedIdentities).Count == 0)
        {
            violations.Add("No user-assigned managed identity is declared.");
        }

        foreach (var site in sites)
        {
            var kind = ArmTemplate.Text(site.Node["kind"]);
            if (!kind.Contains("functionapp", StringComparison.Ordinal) || !kind.Contains("linux", StringComparison.Ordinal))
            {
                violations.Add($"function app: kind must be 'functionapp,linux', found '{kind}'.");
            }

            RequireTrue(site, "properties.httpsOnly", "function app: HTTPS only must be on", violations);
            RequireLiteral(site, "properties.siteConfig.minTlsVersion", "1.2", "function app: minimum TLS version must be 1.2", violations);
            RequireLiteral(site, "properties.functionAppConfig.runtime.name", "dotnet-isolated", "function app: runtime must be dotnet-isolated", violations);
            RequireLiteral(site, "properties.functionAppConfig.runtime.version", "10.0", "function app: runtime version must be '10.0' (not '10')", violations);
            RequireLiteral(site, "identity.type", "UserAssigned", "function app: must run as the user-assigned identity", violations);
            RequireLiteral(site, "properties.functionAppConfig.deployment.storage.authentication.type", "UserAssignedIdentity",
                "function app: the deployment container must be read with the user-assigned identity", violations);

            foreach (var setting in new[] { "maximumInstanceCount", "instanceMemoryMB", "triggers.http.perInstanceConcurrency", "alwaysReady" })
            {
                if (site[$"properties.functionAppConfig.scaleAndConcurrency.{setting}"] is null)
                {
                    violations.Add($"function app: scaleAndConcurrency.{setting} is not set.");
                }
            }

            if (site["properties.siteConfig.appSettings"] is not null || site["properties.siteConfig.connectionStrings"] is not null)
            {
                violations.Add("function app: siteConfig must not carry appSettings or connectionStrings; use the sites/config resource.");
            }

            var tagged = ServiceNameTag(site.Node["tags"]);
            if (!string.Equals(tagged, serviceName, StringComparison.Ordinal))
            {
                violations.Add($"function app: tag azd-service-name must be '{serviceName}' (the azure.yaml service), found '{tagged ?? "(none)"}'.");
            }
        }

        var policies = OfType(resources, $"{Sites}/basicPublishingCredentialsPolicies");
        foreach (var policyName in new[] { "ftp", "scm" })
        {
            var policy = policies.FirstOrDefault(p => string.Equals(p.NameTail, policyName, StringComparison.Ordinal));
            if (policy is null || !ArmTemplate.IsFalse(policy["properties.allow"]))
            {
                violations.Add($"function app: basic-auth publishing ({policyName}) must be disabled.");
            }
        }
    }

    private static void CheckAppSettings(IReadOnlyList<ArmResource> resources, List<string> violations)
    {
        var configs = OfType(resources, $"{Sites}/config").Where(config => string.Equals(config.NameTail, "appsettings", StringComparison.Ordinal)).ToList();
        if (configs.Count != 1)
        {
            violations.Add($"Expected one appsettings resource, found {configs.Count}.");
            return;
        }

        if (configs[0]["properties"] is not JsonObject settings)
        {
            violations.Add("appsettings: properties must be an object of settings.");
            return;
        }

        string? Value(string name) => settings.ContainsKey(name) ? ArmTemplate.Text(settings[name]) : null;

        void Require(string name, Func<string, bool> isValid, string expectation)
        {
            var value = Value(name);
            if (value is null)
            {
                violations.Add($"appsettings: {name} is missing ({expectation}).");
            }
            else if (!isValid(value))
            {
                violations.Add($"appsettings: {name} must be {expectation}, found '{value}'.");
            }
        }

        static bool IsIdentityClientId(string value) =>
            value.Contains(UserAssignedIdentities, StringComparison.Ordinal) && value.Contains(".clientId", StringComparison.Ordinal);

        Require("AzureWebJobsStorage__accountName", value => value.Length > 0, "the storage account name");
        Require("AzureWebJobsStorage__credential", value => string.Equals(value, "managedidentity", StringComparison.Ordinal), "'managedidentity'");
        Require("AzureWebJobsStorage__clientId", IsIdentityClientId, "the user-assigned identity's clientId");
        Require("AZURE_CLIENT_ID", IsIdentityClientId, "the user-assigned identity's clientId");
        Require("Gateway__Storage__TableEndpoint", value => value.Contains("primaryEndpoints.table", StringComparison.Ordinal), "the storage account's table endpoint");
        Require("HealthProbeSchedule", value => value.Length > 0, "the health-probe NCRONTAB schedule");
        Require("APPLICATIONINSIGHTS_CONNECTION_STRING",
            value => value.Contains(Components, StringComparison.Ordinal) && value.Contains(".ConnectionString", StringComparison.Ordinal),
            "read from the Application Insights component");
        Require("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", value => value.Contains("Authorization=AAD", StringComparison.Ordinal), "Entra ingestion (Authorization=AAD)");

        foreach (var name in settings.Select(setting => setting.Key))
        {
            if (ForbiddenSettings.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                violations.Add($"appsettings: {name} must not be set (keys or settings Flex Consumption rejects).");
            }
            else if (name.Replace("_", string.Empty, StringComparison.Ordinal).Contains("ConnectionString", StringComparison.OrdinalIgnoreCase)
                && !string.Equals(name, "APPLICATIONINSIGHTS_CONNECTION_STRING", StringComparison.Ordinal))
            {
                violations.Add($"appsettings: {name} looks like a connection string; use identity-based settings.");
            }
        }
    }

    private static void CheckRoleAssignments(IReadOnlyList<ArmResource> resources, List<string> violations)
    {
        var assignments = OfType(resources, RoleAssignments);

        foreach (var assignment in assignments)
        {
            var role = ArmTemplate.Text(assignment["properties.roleDefinitionId"]);
            foreach (var forbidden in ForbiddenRoles.Where(forbidden => role.Contains(forbidden.Key, StringComparison.OrdinalIgnoreCase)))
            {
                violations.Add($"roles: {forbidden.Value} must not be assigned; grant data roles only.");
            }
        }

        var identityRoles = new (string Role, string Name, string Scope)[]
        {
            (StorageBlobDataOwner, "Storage Blob Data Owner", StorageAccounts),
            (StorageQueueDataContributor, "Storage Queue Data Contributor", StorageAccounts),
            (StorageTableDataContributor, "Storage Table Data Contributor", StorageAccounts),
            (MonitoringMetricsPublisher, "Monitoring Metrics Publisher", Components),
        };
        foreach (var (role, name, scope) in identityRoles)
        {
            var granted = assignments.Any(assignment =>
                HasRole(assignment, role)
                && ArmTemplate.Text(assignment["properties.principalId"]).Contains(UserAssignedIdentities, StringComparison.Ordinal)
                && string.Equals(ArmTemplate.Literal(assignment["properties.principalType"]), "ServicePrincipal", StringComparison.Ordinal)
                && ArmTemplate.Text(assignment.Node["scope"]).Contains(scope, StringComparison.Ordinal)
                && assignment.Node["condition"] is null);
            if (!granted)
            {
                violations.Add($"roles: the identity needs {name} on the {scope} resource (principalType ServicePrincipal, unconditional).");
            }
        }

        var operatorGranted = assignments.Any(assignment =>
            HasRole(assignment, StorageTableDataContributor)
            && !ArmTemplate.Text(assignment["properties.principalId"]).Contains(UserAssignedIdentities, StringComparison.Ordinal)
            && ArmTemplate.Text(assignment.Node["scope"]).Contains(StorageAccounts, StringComparison.Ordinal)
            && ArmTemplate.Text(assignment.Node["condition"]).Contains("empty(", StringComparison.Ordinal));
        if (!operatorGranted)
        {
            violations.Add("roles: the optional operator principal needs Storage Table Data Contributor on the storage account, conditional on a principal id being given.");
        }
    }

    private static void CheckMonitoring(IReadOnlyList<ArmResource> resources, List<string> violations)
    {
        var components = OfType(resources, Components);
        if (components.Count == 0)
        {
            violations.Add("No Application Insights component is declared.");
        }

        foreach (var component in components)
        {
            RequireTrue(component, "properties.DisableLocalAuth", "Application Insights: local auth must be disabled (Entra ingestion only)", violations);
            RequireLiteral(component, "properties.IngestionMode", "LogAnalytics", "Application Insights: must be workspace-based", violations);
            if (component["properties.WorkspaceResourceId"] is null)
            {
                violations.Add("Application Insights: WorkspaceResourceId is not set.");
            }
        }

        var workspaces = OfType(resources, "Microsoft.OperationalInsights/workspaces");
        if (workspaces.Count == 0)
        {
            violations.Add("No Log Analytics workspace is declared.");
        }

        foreach (var workspace in workspaces)
        {
            RequireTrue(workspace, "properties.features.disableLocalAuth", "Log Analytics: local auth must be disabled", violations);
        }

        var rules = OfType(resources, ScheduledQueryRules);
        var alerts = new (string Marker, string Name)[]
        {
            ("success == false", "failure rate"),
            ("percentile(duration, 95)", "p95 latency"),
            ("gateway.ratelimit.rejections", "rate-limit rejections"),
        };
        foreach (var (marker, name) in alerts)
        {
            if (!rules.Any(rule => ArmTemplate.Text(rule["properties.criteria"]).Contains(marker, StringComparison.Ordinal)))
            {
                violations.Add($"alerts: no log alert on the {name} (a query containing '{marker}').");
            }
        }

        foreach (var rule in rules)
        {
            RequireTrue(rule, "properties.skipQueryValidation", $"alert '{rule.NameTail}': skipQueryValidation must be on (tables appear with the first telemetry)", violations);
            if (!ArmTemplate.Text(rule["properties.scopes"]).Contains(Components, StringComparison.Ordinal))
            {
                violations.Add($"alert '{rule.NameTail}': must be scoped to the Application Insights component.");
            }

            if (!ArmTemplate.Text(rule["properties.actions.actionGroups"]).Contains("Microsoft.Insights/actionGroups", StringComparison.Ordinal))
            {
                violations.Add($"alert '{rule.NameTail}': must notify the action group when one is configured.");
            }

            foreach (var criterion in (rule["properties.criteria.allOf"] as JsonArray ?? []).OfType<JsonObject>())
            {
                // The measured column must be one the query produces, or the rule never fires.
                var column = ArmTemplate.Literal(criterion["metricMeasureColumn"]);
                if (column is not null && !ArmTemplate.Text(criterion["query"]).Contains($"{column} =", StringComparison.Ordinal))
                {
                    violations.Add($"alert '{rule.NameTail}': the query does not produce its metricMeasureColumn '{column}'.");
                }
            }
        }

        var actionGroups = OfType(resources, "Microsoft.Insights/actionGroups");
        if (actionGroups.Count != 1 || actionGroups[0].Node["condition"] is null || actionGroups[0]["properties.emailReceivers"] is null)
        {
            violations.Add("alerts: expected one optional (conditional) action group with an e-mail receiver.");
        }

        var workbooks = OfType(resources, "Microsoft.Insights/workbooks");
        if (workbooks.Count != 1
            || !string.Equals(ArmTemplate.Literal(workbooks[0].Node["kind"]), "shared", StringComparison.Ordinal)
            || !ArmTemplate.Text(workbooks[0]["properties.sourceId"]).Contains(Components, StringComparison.Ordinal)
            || workbooks[0]["properties.serializedData"] is null)
        {
            violations.Add("workbook: expected one shared workbook whose source is the Application Insights component.");
        }
    }

    private static void CheckNoSecrets(JsonNode template, List<string> violations)
    {
        var text = template.ToJsonString();
        foreach (Match match in SecretPattern().Matches(text))
        {
            var start = Math.Max(0, match.Index - 60);
            var excerpt = text.Substring(start, Math.Min(text.Length - start, match.Length + 120));
            violations.Add($"secrets: '{match.Value}' appears in the template: ...{excerpt}...");
        }
    }

    private static void CheckOutputs(JsonNode template, List<string> violations)
    {
        foreach (var (name, output) in ArmTemplate.Outputs(template))
        {
            var type = ArmTemplate.Text(output["type"]);
            if (type.StartsWith("secure", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add($"outputs: {name} is of type {type}; outputs are stored in the deployment history, keep secrets out of them.");
            }

            if (SecretOutputName().IsMatch(name))
            {
                violations.Add($"outputs: {name} looks like a secret; outputs are stored in the deployment history.");
            }

            var value = ArmTemplate.Text(output["value"]);
            if (value.Contains(".ConnectionString", StringComparison.OrdinalIgnoreCase) || value.Contains("InstrumentationKey", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add($"outputs: {name} exposes a connection string or instrumentation key.");
            }
        }

        var declared = template["outputs"] as JsonObject;
        foreach (var required in RequiredOutputs.Where(required => declared is null || !declared.ContainsKey(required)))
        {
            violations.Add($"outputs: {required} is missing (azd writes it to the environment).");
        }
    }

    private static List<ArmResource> OfType(IReadOnlyList<ArmResource> resources, string type) =>
        resources.Where(resource => string.Equals(resource.Type, type, StringComparison.OrdinalIgnoreCase)).ToList();

    private static bool HasRole(ArmResource assignment, string roleId) =>
        ArmTemplate.Text(assignment["properties.roleDefinitionId"]).Contains(roleId, StringComparison.OrdinalIgnoreCase);

    private static string? ServiceNameTag(JsonNode? tags) => tags switch
    {
        JsonObject literal => ArmTemplate.Literal(literal["azd-service-name"]),
        // union(parameters('tags'), createObject('azd-service-name', 'api'))
        JsonValue => ServiceNameInExpression().Match(ArmTemplate.Text(tags)) is { Success: true } match ? match.Groups["name"].Value : null,
        _ => null,
    };

    private static void RequireTrue(ArmResource resource, string path, string rule, List<string> violations)
    {
        if (!ArmTemplate.IsTrue(resource[path]))
        {
            violations.Add($"{rule} ({path} is {Show(resource[path])}, expected literal true).");
        }
    }

    private static void RequireFalse(ArmResource resource, string path, string rule, List<string> violations)
    {
        if (!ArmTemplate.IsFalse(resource[path]))
        {
            violations.Add($"{rule} ({path} is {Show(resource[path])}, expected literal false).");
        }
    }

    private static void RequireLiteral(ArmResource resource, string path, string expected, string rule, List<string> violations)
    {
        if (!string.Equals(ArmTemplate.Literal(resource[path]), expected, StringComparison.Ordinal))
        {
            violations.Add($"{rule} ({path} is {Show(resource[path])}, expected '{expected}').");
        }
    }

    private static string Show(JsonNode? node) => node is null ? "missing" : node.ToJsonString();

    [GeneratedRegex(@"list(Keys|AccountSas|ServiceSas|ConnectionStrings|Secrets)\s*\(|AccountKey=|SharedAccessSignature=|SharedAccessKey=", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"key|secret|password|connectionstring|connection_string|token", RegexOptions.IgnoreCase)]
    private static partial Regex SecretOutputName();

    [GeneratedRegex(@"'azd-service-name',\s*'(?<name>[^']*)'")]
    private static partial Regex ServiceNameInExpression();
}
