namespace FunctionsGateway.DevHost.Commands;

/// <summary>The exit codes of the operator commands (<c>apikey</c>, <c>routes</c>).</summary>
public static class CommandExit
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>The command ran but failed: storage unreachable, a file that does not validate, a row edited meanwhile.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong; the usage is printed.</summary>
    public const int UsageError = 2;
}
