using System.Text;

namespace FunctionsGateway.Infra.Tests;

/// <summary>The outcome of one Bicep CLI invocation.</summary>
internal sealed record BicepRun(IReadOnlyList<string> Arguments, int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<BicepDiagnostic> Diagnostics { get; } = BicepDiagnostic.ParseAll(StandardError);

    /// <summary>
    /// Clean means exit code 0 and nothing at all on standard error. The exit code alone is not
    /// enough: the CLI exits 0 when the only diagnostics are warnings.
    /// </summary>
    public bool IsClean => ExitCode == 0 && string.IsNullOrWhiteSpace(StandardError);

    /// <summary>Error-output lines that are not diagnostics of a file (crashes, usage errors).</summary>
    public IReadOnlyList<string> OtherErrorLines =>
        StandardError.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.Trim().Length > 0 && BicepDiagnostic.ParseAll(line).Count == 0)
            .ToList();

    /// <summary>Diagnostics reported for one file, by its full path.</summary>
    public IReadOnlyList<BicepDiagnostic> DiagnosticsFor(string fullPath) =>
        Diagnostics.Where(diagnostic => string.Equals(Path.GetFullPath(diagnostic.File), Path.GetFullPath(fullPath), StringComparison.Ordinal)).ToList();

    /// <summary>A message for a failed assertion: the command, the exit code and every diagnostic.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append("bicep ").AppendJoin(' ', Arguments).Append(" exited with ").Append(ExitCode).AppendLine();
        text.Append(Diagnostics.Count).AppendLine(" diagnostic(s):");
        text.AppendLine(string.IsNullOrWhiteSpace(StandardError) ? "(none)" : StandardError.TrimEnd());
        return text.ToString();
    }
}
