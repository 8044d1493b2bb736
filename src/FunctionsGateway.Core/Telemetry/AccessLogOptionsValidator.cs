using System.Globalization;
using Microsoft.Extensions.Options;

namespace FunctionsGateway.Telemetry;

/// <summary>Checks <see cref="AccessLogOptions"/> at start and reports every problem at once, each naming the app setting.</summary>
internal sealed class AccessLogOptionsValidator : IValidateOptions<AccessLogOptions>
{
    private const string Prefix = "Gateway__AccessLog__";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AccessLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!(options.SuccessSampleRate is >= 0 and <= 1))
        {
            errors.Add($"{Prefix}SuccessSampleRate is {options.SuccessSampleRate.ToString(CultureInfo.InvariantCulture)}; use a share from 0 to 1, "
                + "such as 0.1 to write one successful request in ten (errors are always written), or 1 to write all");
        }

        if (options.QueueCapacity is < 100 or > 1_000_000)
        {
            errors.Add($"{Prefix}QueueCapacity is {options.QueueCapacity}; use 100 to 1000000 events, such as 10000");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
