using System.Text;
using Azure;
using FunctionsGateway.Configuration;
using FunctionsGateway.Storage;
using Microsoft.Extensions.Configuration;

namespace FunctionsGateway.DevHost.Commands;

/// <summary>
/// The route set as a file, run as <c>dotnet run --project src/FunctionsGateway.DevHost -- routes ...</c>:
/// <c>export</c> writes the Routes and Backends rows (rate-limit plans are the <c>RateLimitPlans</c> column of route
/// rows) to one JSON format (<see cref="RouteSetFile"/>); <c>validate</c> checks a file with the gateway's own snapshot
/// build (<see cref="RouteSetValidator"/>); <c>diff</c> shows what <c>apply</c> would change; <c>apply</c> changes it,
/// only with <c>--yes</c>, refusing a file with errors and never overwriting a row edited after the diff
/// (<see cref="RouteSetStore"/>). See docs/routes.md, Managing routes as a file.
/// </summary>
public static class RoutesCommand
{
    private const string Usage = $$"""
        Usage:
          routes export [--file FILE]    write the Routes and Backends rows as JSON (to standard output without --file)
          routes validate FILE           check a file as the gateway checks its tables; exit code 1 when it has errors
          routes diff FILE               show the rows apply would create, update and delete
          routes apply FILE [--yes]      the same diff, then (only with --yes) write it; a dry run without --yes
        {{CommandStorage.Usage}}
        Tables: --Gateway:Tables:Routes=NAME, --Gateway:Tables:Backends=NAME (default Routes, Backends).
        Exit code: 0 done, 1 failed (file, validation, storage, a row edited meanwhile), 2 wrong command line.
        """;

    /// <summary>Runs a <c>routes</c> command against the configured Routes and Backends tables.</summary>
    /// <param name="args">The arguments, with or without the leading <c>routes</c>.</param>
    /// <param name="configuration">The host's configuration (storage, table names, issuers).</param>
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

        return await RunAsync(command, CommandStorage.Apply(configuration, storage), Console.Out, Console.Error, TimeProvider.System, ct).ConfigureAwait(false);
    }

    /// <summary>Runs a command with the given settings, writing to the given writers.</summary>
    internal static async Task<int> RunAsync(
        string[] args, IConfiguration configuration, TextWriter output, TextWriter errors, TimeProvider time, CancellationToken ct)
    {
        var words = args.Length > 0 && args[0].Equals("routes", StringComparison.OrdinalIgnoreCase) ? args[1..] : args;
        if (!RoutesCommandLine.TryParse(words, out var line, out var problem))
        {
            return await UsageAsync(errors, problem).ConfigureAwait(false);
        }

        var settings = RouteSetSettings.From(configuration);
        try
        {
            return line.Verb switch
            {
                "export" => await ExportAsync(line.File, settings, output, errors, ct).ConfigureAwait(false),
                "validate" => await ValidateAsync(line.File!, settings, output, errors, time, ct).ConfigureAwait(false),
                _ => await DiffAsync(line, settings, output, errors, time, ct).ConfigureAwait(false),
            };
        }
        catch (Exception ex) when (CommandStorage.IsFailure(ex) && !ct.IsCancellationRequested)
        {
            await errors.WriteLineAsync(DescribeStorageFailure(ex, settings)).ConfigureAwait(false);
            return CommandExit.Failure;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await errors.WriteLineAsync("Cancelled; nothing was written.").ConfigureAwait(false);
            return CommandExit.Failure;
        }
    }

    /// <summary>
    /// Applies <paramref name="changes"/> in order and stops at the first row that changed in storage since it was
    /// read, or at a storage failure, saying what was applied and what was not. Returns the exit code.
    /// </summary>
    internal static async Task<int> ApplyAsync(IReadOnlyList<RouteSetChange> changes, RouteSetStore store, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            string? conflict;
            try
            {
                conflict = await store.ApplyAsync(change, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (CommandStorage.IsFailure(ex) && !ct.IsCancellationRequested)
            {
                conflict = CommandStorage.Describe(ex);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                conflict = "cancelled before this row was written";
            }

            if (conflict is not null)
            {
                await errors.WriteLineAsync(
                    $"Stopped at {Name(change.Row, store)} ({Verb(change.Kind)}): {conflict}. Applied {i} of {changes.Count} changes (listed above); "
                    + $"the other {changes.Count - i} were not attempted. Run 'routes diff' to see the tables as they are now.").ConfigureAwait(false);
                return CommandExit.Failure;
            }

            await output.WriteLineAsync($"{Past(change.Kind)} {Name(change.Row, store)}").ConfigureAwait(false);
        }

        await errors.WriteLineAsync($"Applied all {changes.Count} changes.").ConfigureAwait(false);
        return CommandExit.Success;
    }

    /// <summary>The diff as a person reads it: one line a row, then one a column (+ added, - removed, ~ changed).</summary>
    internal static string Describe(IReadOnlyList<RouteSetChange> changes, RouteSetStore store)
    {
        var text = new StringBuilder();
        foreach (var change in changes)
        {
            text.Append(Verb(change.Kind)).Append(' ').AppendLine(Name(change.Row, store));
            foreach (var column in change.Columns)
            {
                text.AppendLine(column switch
                {
                    { Before: null } => $"    + {column.Column}: {RouteSetValue.Display(column.After!)}",
                    { After: null } => $"    - {column.Column}: {RouteSetValue.Display(column.Before)}",
                    _ => $"    ~ {column.Column}: {RouteSetValue.Display(column.Before)} -> {RouteSetValue.Display(column.After)}",
                });
            }
        }

        return text.ToString();
    }

    private static async Task<int> ExportAsync(string? file, RouteSetSettings settings, TextWriter output, TextWriter errors, CancellationToken ct)
    {
        if (settings.TryOpenStore(out var storageProblem) is not { } store)
        {
            await errors.WriteLineAsync(storageProblem).ConfigureAwait(false);
            return CommandExit.Failure;
        }

        var rows = await store.ReadAsync(ct).ConfigureAwait(false);
        var text = RouteSetFile.Write(rows);
        if (file is null)
        {
            await output.WriteAsync(text).ConfigureAwait(false);
        }
        else
        {
            try
            {
                await File.WriteAllTextAsync(file, text, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await errors.WriteLineAsync($"Could not write '{file}': {ex.Message}").ConfigureAwait(false);
                return CommandExit.Failure;
            }
        }

        var routes = rows.Count(r => r.Table == RouteSetTable.Routes);
        await errors.WriteLineAsync(
            $"Exported {routes} route row(s) and {rows.Count - routes} backend row(s) of storage account '{store.AccountName}'{(file is null ? string.Empty : $" to '{file}'")}. "
            + "Rate-limit plans are the RateLimitPlans column of route rows.").ConfigureAwait(false);
        return CommandExit.Success;
    }

    private static async Task<int> ValidateAsync(string file, RouteSetSettings settings, TextWriter output, TextWriter errors, TimeProvider time, CancellationToken ct)
    {
        var rows = await ReadFileAsync(file, errors, ct).ConfigureAwait(false);
        if (rows is null)
        {
            return CommandExit.Failure;
        }

        var errorCount = await WriteProblemsAsync(rows, settings, output, time).ConfigureAwait(false);
        var routes = rows.Count(r => r.Table == RouteSetTable.Routes);
        await errors.WriteLineAsync(errorCount == 0
            ? $"'{file}' is valid: {routes} route row(s), {rows.Count - routes} backend row(s)."
            : $"'{file}' has {errorCount} error(s): the gateway would not serve the rows named above.").ConfigureAwait(false);
        return errorCount == 0 ? CommandExit.Success : CommandExit.Failure;
    }

    private static async Task<int> DiffAsync(RoutesCommandLine line, RouteSetSettings settings, TextWriter output, TextWriter errors, TimeProvider time, CancellationToken ct)
    {
        var rows = await ReadFileAsync(line.File!, errors, ct).ConfigureAwait(false);
        if (rows is null)
        {
            return CommandExit.Failure;
        }

        var apply = line.Verb == "apply";
        var errorCount = RouteSetValidator.Validate(rows, settings.Tables, settings.Gateway, settings.Authentication, time.GetUtcNow())
            .Count(p => p.Severity == ProblemSeverity.Error);
        if (apply && errorCount > 0)
        {
            await WriteProblemsAsync(rows, settings, output, time).ConfigureAwait(false);
            await errors.WriteLineAsync($"'{line.File}' has {errorCount} error(s); nothing was applied. Fix them ('routes validate {line.File}' lists them) and run apply again.").ConfigureAwait(false);
            return CommandExit.Failure;
        }

        if (settings.TryOpenStore(out var storageProblem) is not { } store)
        {
            await errors.WriteLineAsync(storageProblem).ConfigureAwait(false);
            return CommandExit.Failure;
        }

        var changes = RouteSetDiff.Between(rows, await store.ReadAsync(ct).ConfigureAwait(false));
        await output.WriteAsync(Describe(changes, store)).ConfigureAwait(false);
        await errors.WriteLineAsync(Summary(changes, rows.Count)).ConfigureAwait(false);
        if (!apply && errorCount > 0)
        {
            await errors.WriteLineAsync($"'{line.File}' has {errorCount} error(s); apply will refuse it until they are fixed ('routes validate {line.File}' lists them).").ConfigureAwait(false);
        }

        if (!apply || changes.Count == 0)
        {
            return CommandExit.Success;
        }

        if (!line.Yes)
        {
            await errors.WriteLineAsync($"Dry run: nothing was written. Run again with --yes to apply these {changes.Count} changes.").ConfigureAwait(false);
            return CommandExit.Success;
        }

        return await ApplyAsync(changes, store, output, errors, ct).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<RouteSetRow>?> ReadFileAsync(string file, TextWriter errors, CancellationToken ct)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            await errors.WriteLineAsync($"'{file}' does not exist; give the path of a route-set file (write one with 'routes export --file {file}')").ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await errors.WriteLineAsync($"Could not read '{file}': {ex.Message}").ConfigureAwait(false);
            return null;
        }

        if (RouteSetFile.TryRead(text, file, out var rows, out var problems))
        {
            return rows;
        }

        foreach (var problem in problems)
        {
            await errors.WriteLineAsync(problem).ConfigureAwait(false);
        }

        return null;
    }

    private static async Task<int> WriteProblemsAsync(IReadOnlyList<RouteSetRow> rows, RouteSetSettings settings, TextWriter output, TimeProvider time)
    {
        var problems = RouteSetValidator.Validate(rows, settings.Tables, settings.Gateway, settings.Authentication, time.GetUtcNow());
        foreach (var problem in problems)
        {
            await output.WriteLineAsync($"{(problem.Severity == ProblemSeverity.Error ? "error" : "warning")}: {problem}").ConfigureAwait(false);
        }

        return problems.Count(p => p.Severity == ProblemSeverity.Error);
    }

    private static string Summary(IReadOnlyList<RouteSetChange> changes, int fileRows)
    {
        int Count(RouteSetChangeKind kind) => changes.Count(c => c.Kind == kind);
        var unchanged = fileRows - Count(RouteSetChangeKind.Create) - Count(RouteSetChangeKind.Update);
        return changes.Count == 0
            ? $"No changes: the tables hold exactly the file's {fileRows} row(s)."
            : $"{Count(RouteSetChangeKind.Create)} to create, {Count(RouteSetChangeKind.Update)} to update, {Count(RouteSetChangeKind.Delete)} to delete, {unchanged} unchanged.";
    }

    private static string DescribeStorageFailure(Exception ex, RouteSetSettings settings) =>
        StorageErrorText.Innermost(ex) is RequestFailedException { Status: 404, ErrorCode: "TableNotFound" }
            ? $"The table '{settings.Tables.Routes}' or '{settings.Tables.Backends}' does not exist in that storage account; start the DevHost once (it creates local tables), run azd provision in Azure, or check --Gateway:Tables:* ({CommandStorage.Describe(ex)})"
            : CommandStorage.Describe(ex);

    private static string Name(RouteSetRow row, RouteSetStore store) => $"{store.Name(row.Table)} '{row.PartitionKey}/{row.RowKey}'";

    private static string Verb(RouteSetChangeKind kind) => kind.ToString().ToLowerInvariant();

    private static string Past(RouteSetChangeKind kind) => kind switch
    {
        RouteSetChangeKind.Create => "created",
        RouteSetChangeKind.Update => "updated",
        _ => "deleted",
    };

    private static async Task<int> UsageAsync(TextWriter errors, string problem)
    {
        await errors.WriteLineAsync(problem + Environment.NewLine + Usage).ConfigureAwait(false);
        return CommandExit.UsageError;
    }
}
