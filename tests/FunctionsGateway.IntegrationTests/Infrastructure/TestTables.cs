using Azure.Data.Tables;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>A test's own Routes and Backends tables in Azurite, written the way an operator would.</summary>
public sealed class TestTables
{
    private TestTables(TableClient routes, TableClient backends, TableClient backendHealth, TableClient lastValidRows)
    {
        Routes = routes;
        Backends = backends;
        BackendHealth = backendHealth;
        LastValidRows = lastValidRows;
    }

    public TableClient Routes { get; }

    public TableClient Backends { get; }

    /// <summary>The prober's rows for this test's backends (the gateway under test writes them; operators only read them).</summary>
    public TableClient BackendHealth { get; }

    /// <summary>The gateways' shared copies of the last valid version of this test's rows.</summary>
    public TableClient LastValidRows { get; }

    /// <summary>Creates uniquely named tables so tests never see each other's rows.</summary>
    public static async Task<TestTables> CreateAsync(string connectionString)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var service = new TableServiceClient(connectionString);
        var routes = service.GetTableClient("Routes" + suffix);
        var backends = service.GetTableClient("Backends" + suffix);
        var backendHealth = service.GetTableClient("BackendHealth" + suffix);
        await routes.CreateIfNotExistsAsync();
        await backends.CreateIfNotExistsAsync();
        await backendHealth.CreateIfNotExistsAsync();
        var lastValidRows = service.GetTableClient("LastValidRows" + suffix);
        await lastValidRows.CreateIfNotExistsAsync();
        return new TestTables(routes, backends, backendHealth, lastValidRows);
    }

    public Task AddRouteAsync(string rowKey, params (string Column, object Value)[] columns) =>
        Routes.UpsertEntityAsync(Row("public", rowKey, columns), TableUpdateMode.Replace);

    public Task AddBackendAsync(string pool, string rowKey, params (string Column, object Value)[] columns) =>
        Backends.UpsertEntityAsync(Row(pool, rowKey, columns), TableUpdateMode.Replace);

    public Task DeleteRouteAsync(string rowKey) => Routes.DeleteEntityAsync("public", rowKey);

    private static TableEntity Row(string partitionKey, string rowKey, (string Column, object Value)[] columns)
    {
        var entity = new TableEntity(partitionKey, rowKey);
        foreach (var (column, value) in columns)
        {
            entity[column] = value;
        }

        return entity;
    }
}
