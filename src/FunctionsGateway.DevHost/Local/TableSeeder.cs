using System.Text.Json;
using Azure.Data.Tables;
using FunctionsGateway.Storage;

namespace FunctionsGateway.DevHost.Local;

/// <summary>
/// Fills empty Routes and Backends tables from a JSON file of rows:
/// <c>{ "Routes": [ { "PartitionKey": "public", "RowKey": "hello", "Path": "/hello", ... } ], "Backends": [ ... ] }</c>.
/// JSON strings, whole numbers and booleans become String, Int32 and Boolean columns.
/// </summary>
public static class TableSeeder
{
    /// <summary>Creates the tables if needed and inserts the file's rows when the Routes table is empty; returns the number of rows written.</summary>
    public static async Task<int> SeedIfEmptyAsync(GatewayTables tables, string jsonFile, CancellationToken cancellationToken = default)
    {
        await tables.CreateTablesIfNotExistAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var _ in tables.Routes.QueryAsync<TableEntity>(maxPerPage: 1, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(jsonFile, cancellationToken).ConfigureAwait(false));
        var written = 0;
        foreach (var (name, table) in new[] { ("Routes", tables.Routes), ("Backends", tables.Backends) })
        {
            if (!document.RootElement.TryGetProperty(name, out var rows))
            {
                continue;
            }

            foreach (var row in rows.EnumerateArray())
            {
                await table.UpsertEntityAsync(ToEntity(row, jsonFile), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                written++;
            }
        }

        return written;
    }

    private static TableEntity ToEntity(JsonElement row, string file)
    {
        var entity = new TableEntity();
        foreach (var property in row.EnumerateObject())
        {
            entity[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number when property.Value.TryGetInt32(out var i) => i,
                JsonValueKind.Number => property.Value.GetDouble(),
                _ => throw new InvalidDataException($"{file}: column '{property.Name}' holds {property.Value.ValueKind}; use a string, a number or true/false."),
            };
        }

        if (string.IsNullOrEmpty(entity.PartitionKey) || string.IsNullOrEmpty(entity.RowKey))
        {
            throw new InvalidDataException($"{file}: every row needs a PartitionKey and a RowKey; found {row}.");
        }

        return entity;
    }
}
