namespace FunctionsGateway.Infra.Tests;

/// <summary>Checks that azure.yaml deploys the Functions project as a function app service.</summary>
internal static class AzureYamlChecker
{
    public const string ServiceName = "api";
    public const string FunctionsProject = "src/FunctionsGateway.Functions";

    /// <summary>Returns every violation; empty when azure.yaml is right.</summary>
    /// <param name="scalars">azure.yaml as read by <see cref="AzureYaml.ReadScalars"/>.</param>
    /// <param name="repositoryRoot">The folder azure.yaml lives in; project paths are relative to it.</param>
    public static IReadOnlyList<string> Check(IReadOnlyDictionary<string, string> scalars, string repositoryRoot)
    {
        var violations = new List<string>();

        void Require(string path, string expected)
        {
            if (!scalars.TryGetValue(path, out var actual))
            {
                violations.Add($"azure.yaml: {path} is missing (expected '{expected}').");
            }
            else if (!string.Equals(actual, expected, StringComparison.Ordinal))
            {
                violations.Add($"azure.yaml: {path} is '{actual}', expected '{expected}'.");
            }
        }

        if (!scalars.ContainsKey("name"))
        {
            violations.Add("azure.yaml: name is missing (azd requires it).");
        }

        Require($"services.{ServiceName}.language", "dotnet");
        Require($"services.{ServiceName}.host", "function");

        if (!scalars.TryGetValue($"services.{ServiceName}.project", out var project))
        {
            violations.Add($"azure.yaml: services.{ServiceName}.project is missing (expected './{FunctionsProject}').");
        }
        else
        {
            var normalized = project.Replace('\\', '/').TrimEnd('/');
            normalized = normalized.StartsWith("./", StringComparison.Ordinal) ? normalized[2..] : normalized;
            if (!string.Equals(normalized, FunctionsProject, StringComparison.Ordinal))
            {
                violations.Add($"azure.yaml: services.{ServiceName}.project is '{project}', expected './{FunctionsProject}'.");
            }
            else
            {
                // azd refuses a .NET service folder with more than one project file.
                var directory = Path.Combine(repositoryRoot, normalized);
                var projects = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.*proj") : [];
                if (projects.Length != 1)
                {
                    violations.Add($"azure.yaml: '{project}' must hold exactly one project file, found {projects.Length}.");
                }
            }
        }

        var services = scalars.Keys
            .Where(key => key.StartsWith("services.", StringComparison.Ordinal))
            .Select(key => key.Split('.')[1])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (services.Count != 1)
        {
            violations.Add($"azure.yaml: expected exactly one service, found {services.Count} ({string.Join(", ", services)}).");
        }

        return violations;
    }
}
