using System.Collections.Immutable;
using System.Globalization;
using Azure.Data.Tables;

namespace FunctionsGateway.Authentication;

/// <summary>
/// One row of the <c>ApiKeys</c> table, read tolerantly: a column of the wrong type does not
/// throw but makes the record invalid (<see cref="InvalidColumn"/>), and an invalid record's
/// key is rejected.
/// </summary>
public sealed class ApiKeyRecord
{
    /// <summary>The key's hash (the RowKey).</summary>
    public required string Hash { get; init; }

    /// <summary>The consumer id; empty when the row is invalid.</summary>
    public string Consumer { get; init; } = string.Empty;

    /// <summary>The plan, if any.</summary>
    public string? Plan { get; init; }

    /// <summary>The scopes the key grants.</summary>
    public ImmutableArray<string> Scopes { get; init; } = [];

    /// <summary>Whether the key is accepted. The default value is true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>When the key stops being accepted; null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Free text for operators.</summary>
    public string? Description { get; init; }

    /// <summary>The first column that could not be read, or null when the row is valid.</summary>
    public string? InvalidColumn { get; init; }

    /// <summary>What is wrong with <see cref="InvalidColumn"/>, or null.</summary>
    public string? Problem { get; init; }

    /// <summary>Whether every column could be read.</summary>
    public bool IsValid => InvalidColumn is null;

    /// <summary>Reads a table row without throwing on bad values.</summary>
    public static ApiKeyRecord FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var hash = entity.RowKey ?? string.Empty;

        if (!TryGetString(entity, ApiKeyColumns.Consumer, out var consumer) || string.IsNullOrWhiteSpace(consumer))
        {
            return Invalid(hash, ApiKeyColumns.Consumer, "must be a non-empty string naming the consumer");
        }

        if (!TryGetString(entity, ApiKeyColumns.Plan, out var plan))
        {
            return Invalid(hash, ApiKeyColumns.Plan, "must be a string");
        }

        if (!TryGetString(entity, ApiKeyColumns.Scopes, out var scopesText)
            || !TryParseScopes(scopesText, out var scopes))
        {
            return Invalid(hash, ApiKeyColumns.Scopes, "must be a string of comma-separated scopes such as orders.read,orders.write");
        }

        if (!TryGetBoolean(entity, ApiKeyColumns.Enabled, out var enabled))
        {
            return Invalid(hash, ApiKeyColumns.Enabled, "must be a bool (true or false)");
        }

        if (!TryGetDate(entity, ApiKeyColumns.ExpiresAt, out var expiresAt))
        {
            return Invalid(hash, ApiKeyColumns.ExpiresAt, "must be a DateTime such as 2027-01-31T00:00:00Z");
        }

        if (!TryGetString(entity, ApiKeyColumns.Description, out var description))
        {
            return Invalid(hash, ApiKeyColumns.Description, "must be a string");
        }

        return new ApiKeyRecord
        {
            Hash = hash,
            Consumer = consumer.Trim(),
            Plan = string.IsNullOrWhiteSpace(plan) ? null : plan.Trim(),
            Scopes = scopes,
            Enabled = enabled ?? true,
            ExpiresAt = expiresAt,
            Description = description,
        };
    }

    /// <summary>Parses a comma-separated scope list; false when an entry is not a scope token.</summary>
    internal static bool TryParseScopes(string? text, out ImmutableArray<string> scopes)
    {
        scopes = [];
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var scope in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!AuthPolicy.IsScopeToken(scope))
            {
                return false;
            }

            builder.Add(scope);
        }

        scopes = builder.ToImmutable();
        return true;
    }

    private static ApiKeyRecord Invalid(string hash, string column, string problem) =>
        new() { Hash = hash, Enabled = false, InvalidColumn = column, Problem = problem };

    private static bool TryGetString(TableEntity entity, string column, out string? value)
    {
        value = null;
        if (!entity.TryGetValue(column, out var raw) || raw is null)
        {
            return true;
        }

        value = raw as string;
        return value is not null;
    }

    private static bool TryGetBoolean(TableEntity entity, string column, out bool? value)
    {
        value = null;
        if (!entity.TryGetValue(column, out var raw) || raw is null)
        {
            return true;
        }

        switch (raw)
        {
            case bool flag:
                value = flag;
                return true;
            case string text when bool.TryParse(text.Trim(), out var parsed):
                value = parsed;
                return true;
            default:
                return false;
        }
    }

    private static bool TryGetDate(TableEntity entity, string column, out DateTimeOffset? value)
    {
        value = null;
        if (!entity.TryGetValue(column, out var raw) || raw is null)
        {
            return true;
        }

        switch (raw)
        {
            case DateTimeOffset date:
                value = date;
                return true;
            case DateTime date:
                value = new DateTimeOffset(DateTime.SpecifyKind(date, date.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : date.Kind));
                return true;
            case string text when DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed):
                value = parsed;
                return true;
            default:
                return false;
        }
    }
}
