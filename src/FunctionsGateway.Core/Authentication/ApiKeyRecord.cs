using System.Collections.Immutable;
using Azure.Data.Tables;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Authentication;

/// <summary>
/// One row of the <c>ApiKeys</c> table, read tolerantly by the same <see cref="RowReader"/> as the
/// Routes and Backends tables: a column of the wrong type, a misspelt column name (<c>enabled</c>)
/// or a bad scope list does not throw but makes the record invalid (<see cref="InvalidColumn"/>),
/// and an invalid record's key is rejected.
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

    /// <summary>
    /// Reads a table row through the same tolerant reader as route rows (blank cells are absent; a bool or
    /// date may be stored as text), without throwing on bad values: the first error makes the record invalid.
    /// </summary>
    public static ApiKeyRecord FromEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var hash = entity.RowKey ?? string.Empty;
        var row = new RowReader(ApiKeyTable.DefaultName, entity);
        row.CheckColumnNames(ApiKeyColumns.All);

        var consumer = row.String(ApiKeyColumns.Consumer);
        if (consumer is null && !row.Has(ApiKeyColumns.Consumer))
        {
            row.Error(ApiKeyColumns.Consumer, "is required; write the consumer id the key authenticates as, such as contoso-billing");
        }

        var plan = row.String(ApiKeyColumns.Plan);
        if (plan is not null && !PlanName.IsValid(plan))
        {
            row.Error(ApiKeyColumns.Plan, PlanName.Problem(plan));
        }

        if (!AuthPolicy.TryParseScopes(row.String(ApiKeyColumns.Scopes), out var scopes, out var scopesError))
        {
            row.Error(ApiKeyColumns.Scopes, scopesError);
        }

        var enabled = row.Bool(ApiKeyColumns.Enabled, defaultValue: true);
        var expiresAt = row.Date(ApiKeyColumns.ExpiresAt);
        var description = row.String(ApiKeyColumns.Description);

        var error = row.Problems.FirstOrDefault(p => p.Severity == ProblemSeverity.Error);
        if (error is not null || consumer is null)
        {
            return new ApiKeyRecord
            {
                Hash = hash,
                Enabled = false,
                InvalidColumn = error?.Column ?? ApiKeyColumns.Consumer,
                Problem = error?.Message ?? "cannot be read",
            };
        }

        return new ApiKeyRecord
        {
            Hash = hash,
            Consumer = consumer,
            Plan = plan,
            Scopes = scopes,
            Enabled = enabled,
            ExpiresAt = expiresAt,
            Description = description,
        };
    }
}
