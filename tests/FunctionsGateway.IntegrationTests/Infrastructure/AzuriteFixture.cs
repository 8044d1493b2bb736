using FunctionsGateway.DevHost.Local;

namespace FunctionsGateway.IntegrationTests.Infrastructure;

/// <summary>
/// One real Azurite for the whole test run. Tests isolate themselves with their own table names.
/// If Azurite cannot start, every test that needs it fails with the reason: storage behaviour is never skipped.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? _azurite;

    public string ConnectionString => (_azurite ?? throw new InvalidOperationException("Azurite did not start.")).ConnectionString;

    public async Task InitializeAsync() => _azurite = await AzuriteProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
