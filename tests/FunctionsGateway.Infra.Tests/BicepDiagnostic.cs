using System.Text.RegularExpressions;

namespace FunctionsGateway.Infra.Tests;

/// <summary>One diagnostic line of the Bicep CLI: <c>file(line,col) : Level CODE: message</c>.</summary>
internal sealed partial record BicepDiagnostic(string File, int Line, int Column, string Level, string Code, string Message)
{
    /// <summary>Parses every diagnostic line in the CLI's error output; other lines are ignored.</summary>
    public static IReadOnlyList<BicepDiagnostic> ParseAll(string output)
    {
        var diagnostics = new List<BicepDiagnostic>();
        foreach (var line in output.Split('\n'))
        {
            var match = DiagnosticLine().Match(line.TrimEnd('\r'));
            if (match.Success)
            {
                diagnostics.Add(new BicepDiagnostic(
                    match.Groups["file"].Value,
                    int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(match.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture),
                    match.Groups["level"].Value,
                    match.Groups["code"].Value,
                    match.Groups["message"].Value));
            }
        }

        return diagnostics;
    }

    [GeneratedRegex(@"^(?<file>.+)\((?<line>\d+),(?<column>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:]+): (?<message>.*)$")]
    private static partial Regex DiagnosticLine();
}
