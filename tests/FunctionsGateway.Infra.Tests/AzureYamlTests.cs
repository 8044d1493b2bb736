namespace FunctionsGateway.Infra.Tests;

public sealed class AzureYamlTests
{
    private const string Valid = """
        # yaml-language-server: $schema=https://example.invalid/azure.yaml.json
        name: functions-gateway
        infra:
          provider: bicep   # the default
        services:
          api:
            project: ./src/FunctionsGateway.Functions
            language: dotnet
            host: function
        """;

    [Fact]
    public void Check_RepositoryAzureYaml_ReportsNoViolations()
    {
        var scalars = AzureYaml.ReadScalars(File.ReadAllText(Path.Combine(RepositoryLayout.Root, "azure.yaml")));

        var violations = AzureYamlChecker.Check(scalars, RepositoryLayout.Root);

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        Assert.Equal("./src/FunctionsGateway.Functions", scalars["services.api.project"]);
    }

    [Fact]
    public void ReadScalars_NestedMappingsCommentsAndQuotes_ReturnsDottedPaths()
    {
        var scalars = AzureYaml.ReadScalars("""
            name: "quoted # not a comment"
            services:
              api:
                project: './src/App'   # trailing comment
                hooks:
                  postdeploy:
                    run: |
                      echo one
                      echo two
                    shell: sh
              web:
                host: appservice
            metadata:
              template: t@1
            """);

        Assert.Equal("quoted # not a comment", scalars["name"]);
        Assert.Equal("./src/App", scalars["services.api.project"]);
        Assert.Equal("sh", scalars["services.api.hooks.postdeploy.shell"]);
        Assert.Equal("appservice", scalars["services.web.host"]);
        Assert.Equal("t@1", scalars["metadata.template"]);
        Assert.False(scalars.ContainsKey("services.api.hooks.postdeploy.run"));
    }

    [Fact]
    public void ReadScalars_LineWithoutKey_Throws()
    {
        var error = Assert.Throws<FormatException>(() => AzureYaml.ReadScalars("name: x\njust text\n"));

        Assert.Contains("line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ValidFile_ReportsNoViolations()
    {
        var violations = AzureYamlChecker.Check(AzureYaml.ReadScalars(Valid), RepositoryLayout.Root);

        Assert.Empty(violations);
    }

    [Theory]
    [InlineData("host: function", "host: appservice", "services.api.host is 'appservice', expected 'function'")]
    [InlineData("language: dotnet", "language: python", "services.api.language is 'python', expected 'dotnet'")]
    [InlineData("    language: dotnet\n", "", "services.api.language is missing")]
    [InlineData("./src/FunctionsGateway.Functions", "./src/FunctionsGateway.DevHost", "expected './src/FunctionsGateway.Functions'")]
    [InlineData("  api:", "  gateway:", "services.api.host is missing")]
    [InlineData("name: functions-gateway\n", "", "name is missing")]
    public void Check_OneValueWrong_ReportsIt(string original, string replacement, string expected)
    {
        var text = Valid.Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Contains(original, text, StringComparison.Ordinal);

        var violations = AzureYamlChecker.Check(AzureYaml.ReadScalars(text.Replace(original, replacement, StringComparison.Ordinal)), RepositoryLayout.Root);

        Assert.Contains(violations, violation => violation.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ProjectFolderWithTwoProjects_ReportsIt()
    {
        var root = Directory.CreateTempSubdirectory("infra-tests-");
        try
        {
            var project = Directory.CreateDirectory(Path.Combine(root.FullName, "src", "FunctionsGateway.Functions"));
            File.WriteAllText(Path.Combine(project.FullName, "FunctionsGateway.Functions.csproj"), "<Project />");
            File.WriteAllText(Path.Combine(project.FullName, "Other.csproj"), "<Project />");

            var violations = AzureYamlChecker.Check(AzureYaml.ReadScalars(Valid), root.FullName);

            Assert.Contains(violations, violation => violation.Contains("must hold exactly one project file, found 2", StringComparison.Ordinal));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
