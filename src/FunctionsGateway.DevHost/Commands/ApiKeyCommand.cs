using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Identity;
using FunctionsGateway.Authentication;
using Microsoft.Extensions.Configuration;

namespace FunctionsGateway.DevHost.Commands;

/// <summary>
/// Operator commands for API keys, run as <c>dotnet run --project src/FunctionsGateway.DevHost -- apikey ...</c>:
/// <c>create</c> prints a new key once (on standard output, alone, so scripts can capture it) and
/// stores only its hash; <c>disable</c>/<c>enable</c> switch a key by hash; <c>list</c> shows the
/// stored rows, never a key (keys are not stored). See docs/auth.md.
/// </summary>
public static class ApiKeyCommand
{
    /// <summary>Exit code for success.</summary>
    public const int Success = CommandExit.Success;

    /// <summary>Exit code when the command ran but failed (storage unreachable, no such key).</summary>
    public const int Failure = CommandExit.Failure;

    /// <summary>Exit code for a usage error.</summary>
    public const int UsageError = CommandExit.UsageError;

    private const string Usage = $$"""
        Usage:
          apikey create --consumer NAME [--plan PLAN] [--scopes a,b] [--expires 2027-01-31] [--description TEXT]
          apikey disable --hash HASH
          apikey enable --hash HASH
          apikey list [--consumer NAME]
        {{CommandStorage.Usage}}
        Table: --Gateway:Tables:ApiKeys=NAME (default ApiKeys).
        """;

    /// <summary>Runs an <c>apikey</c> command against the configured <c>ApiKeys</c> table.</summary>
    /// <param name="args">The arguments, with or without the leading <c>apikey</c>.</param>
    /// <param name="configuration">The host's configuration (storage settings).</param>
    /// <param name="ct">Cancellation.</param>
    /// <returns>0 on success, 1 on failure, 2 on a usage error.</returns>
    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        if (!CommandStorage.TrySplitSwitches(args, out var command, out var storage, out var storageProblem))
        {
            return await UsageAsync(Console.Error, storageProblem).ConfigureAwait(false);
        }

        TableClient table;
        try
        {
            table = ApiKeyTable.Create(CommandStorage.Apply(configuration, storage));
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return Failure;
        }

        return await RunAsync(command, table, Console.Out, Console.Error, TimeProvider.System, ct).ConfigureAwait(false);
    }

    /// <summary>Runs a command against <paramref name="table"/>, writing to the given writers.</summary>
    internal static async Task<int> RunAsync(
        string[] args,
        TableClient table,
        TextWriter output,
        TextWriter errors,
        TimeProvider time,
        CancellationToken ct)
    {
        var words = args.Length > 0 && args[0].Equals("apikey", StringComparison.OrdinalIgnoreCase) ? args[1..] : args;
        if (words.Length == 0)
        {
            await errors.WriteLineAsync(Usage).ConfigureAwait(false);
            return UsageError;
        }

        if (!TryParseOptions(words[1..], out var options, out var problem))
        {
            return await UsageAsync(errors, problem).ConfigureAwait(false);
        }

        try
        {
            return words[0].ToUpperInvariant() switch
            {
                "CREATE" => await CreateAsync(options, table, output, errors, time, ct).ConfigureAwait(false),
                "DISABLE" => await SetEnabledAsync(options, enabled: false, table, errors, ct).ConfigureAwait(false),
                "ENABLE" => await SetEnabledAsync(options, enabled: true, table, errors, ct).ConfigureAwait(false),
                "LIST" => await ListAsync(options, table, output, errors, ct).ConfigureAwait(false),
                _ => await UsageAsync(errors, $"'{words[0]}' is not an apikey command; use create, disable, enable or list").ConfigureAwait(false),
            };
        }
        catch (Exception ex) when (CommandStorage.IsFailure(ex))
        {
            await errors.WriteLineAsync(CommandStorage.Describe(ex)).ConfigureAwait(false);
            return Failure;
        }
    }

    private static async Task<int> CreateAsync(
        Dictionary<string, string> options,
        TableClient table,
        TextWriter output,
        TextWriter errors,
        TimeProvider time,
        CancellationToken ct)
    {
        if (!Allow(options, ["consumer", "plan", "scopes", "expires", "description"], out var unknown))
        {
            return await UsageAsync(errors, unknown).ConfigureAwait(false);
        }

        if (!options.TryGetValue("consumer", out var consumer))
        {
            return await UsageAsync(errors, "create needs --consumer NAME").ConfigureAwait(false);
        }

        DateTimeOffset? expires = null;
        if (options.TryGetValue("expires", out var expiresText))
        {
            if (!DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return await UsageAsync(errors, $"'{expiresText}' is not a date; use such as 2027-01-31 or 2027-01-31T18:00:00Z (UTC unless an offset is given)").ConfigureAwait(false);
            }

            expires = parsed;
        }

        if (!ApiKeyFactory.TryCreate(
            consumer,
            options.GetValueOrDefault("plan"),
            options.GetValueOrDefault("scopes"),
            expires,
            options.GetValueOrDefault("description"),
            time.GetUtcNow(),
            out var created,
            out var error))
        {
            return await UsageAsync(errors, error).ConfigureAwait(false);
        }

        await table.CreateIfNotExistsAsync(ct).ConfigureAwait(false);
        await table.AddEntityAsync(created!.Entity, ct).ConfigureAwait(false);

        // The key alone goes to standard output so `KEY=$(... apikey create ...)` captures it;
        // everything else goes to standard error.
        await output.WriteLineAsync(created.Plaintext).ConfigureAwait(false);
        await errors.WriteLineAsync(
            $"Created an API key for consumer '{created.Entity[ApiKeyColumns.Consumer]}'. It is shown only this once: only its hash is stored." + Environment.NewLine
            + $"Hash (RowKey; use it to disable the key): {created.Hash}").ConfigureAwait(false);
        return Success;
    }

    private static async Task<int> SetEnabledAsync(
        Dictionary<string, string> options,
        bool enabled,
        TableClient table,
        TextWriter errors,
        CancellationToken ct)
    {
        if (!Allow(options, ["hash"], out var unknown))
        {
            return await UsageAsync(errors, unknown).ConfigureAwait(false);
        }

        if (!options.TryGetValue("hash", out var hash) || !ApiKeyHasher.IsHash(hash))
        {
            return await UsageAsync(errors, "give --hash with the key's hash: 64 lowercase hex characters, as printed by create and list").ConfigureAwait(false);
        }

        try
        {
            var row = new TableEntity(ApiKeyHasher.PartitionKey(hash), hash) { [ApiKeyColumns.Enabled] = enabled };
            await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, ct).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await errors.WriteLineAsync($"No API key has hash {hash}; check it with 'apikey list'").ConfigureAwait(false);
            return Failure;
        }

        await errors.WriteLineAsync(
            $"API key {ApiKeyHasher.Prefix(hash)} {(enabled ? "enabled" : "disabled")}; every gateway instance applies it within its API-key cache time (Gateway:Authentication:ApiKeyCacheSeconds, default 30 s)").ConfigureAwait(false);
        return Success;
    }

    private static async Task<int> ListAsync(
        Dictionary<string, string> options,
        TableClient table,
        TextWriter output,
        TextWriter errors,
        CancellationToken ct)
    {
        if (!Allow(options, ["consumer"], out var unknown))
        {
            return await UsageAsync(errors, unknown).ConfigureAwait(false);
        }

        var filter = options.TryGetValue("consumer", out var consumer)
            ? TableClient.CreateQueryFilter($"Consumer eq {consumer}")
            : null;
        var count = 0;
        await output.WriteLineAsync("HASH\tCONSUMER\tPLAN\tSCOPES\tENABLED\tEXPIRES\tDESCRIPTION").ConfigureAwait(false);
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: ct).ConfigureAwait(false))
            {
                var record = ApiKeyRecord.FromEntity(entity);
                var line = record.IsValid
                    ? string.Join('\t', record.Hash, record.Consumer, record.Plan ?? "-", record.Scopes.IsEmpty ? "-" : string.Join(',', record.Scopes), record.Enabled ? "yes" : "no", record.ExpiresAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "never", record.Description ?? string.Empty)
                    : string.Join('\t', record.Hash, $"INVALID: column '{record.InvalidColumn}' {record.Problem}");
                await output.WriteLineAsync(line).ConfigureAwait(false);
                count++;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No table yet: nothing has been created.
        }

        await errors.WriteLineAsync($"{count} key(s). Keys themselves are never stored, so they cannot be listed.").ConfigureAwait(false);
        return Success;
    }

    private static bool TryParseOptions(string[] words, out Dictionary<string, string> options, out string problem)
    {
        options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        problem = string.Empty;
        for (var i = 0; i < words.Length; i += 2)
        {
            if (!words[i].StartsWith("--", StringComparison.Ordinal) || words[i].Length == 2)
            {
                problem = $"'{words[i]}' is not an option; options look like --consumer NAME";
                return false;
            }

            if (i + 1 >= words.Length || words[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                problem = $"{words[i]} needs a value";
                return false;
            }

            options[words[i][2..]] = words[i + 1];
        }

        return true;
    }

    private static bool Allow(Dictionary<string, string> options, string[] allowed, out string problem)
    {
        var unknown = options.Keys.FirstOrDefault(k => !allowed.Contains(k, StringComparer.OrdinalIgnoreCase));
        problem = unknown is null ? string.Empty : $"--{unknown} is not an option here; use {string.Join(", ", allowed.Select(a => "--" + a))}";
        return unknown is null;
    }

    private static async Task<int> UsageAsync(TextWriter errors, string problem)
    {
        await errors.WriteLineAsync(problem + Environment.NewLine + Usage).ConfigureAwait(false);
        return UsageError;
    }
}
