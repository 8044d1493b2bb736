using Microsoft.Extensions.Options;

namespace FunctionsGateway;

/// <summary>
/// What both hosts print when the settings fail validation at start: every problem on its own line, each naming the
/// setting and what to write instead, instead of an unhandled exception's stack trace.
/// </summary>
public static class InvalidSettingsText
{
    public static string Describe(OptionsValidationException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return "The settings are not valid:" + Environment.NewLine
            + string.Join(Environment.NewLine, exception.Failures.Select(failure => "  - " + failure));
    }
}
