using FunctionsGateway.RateLimiting;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>Every call to the counter store counted by kind: read, write, conflict, delete.</summary>
public sealed class MeteredCounterStoreTests
{
    private readonly RateLimitStoreOperations _operations = new();

    [Fact]
    public async Task Calls_EachKind_CountedUnderItsOperation()
    {
        var store = new MeteredCounterStore(new InMemoryRateLimitCounterStore(), _operations);

        var etag = await store.TryInsertAsync("c1", 1, 5, "a", default);
        await store.TryInsertAsync("c1", 1, 6, "b", default);
        await store.TryUpdateAsync("c1", 1, 7, "c", etag!, default);
        await store.TryUpdateAsync("c1", 1, 8, "d", etag!, default);
        await store.ReadAsync("c1", 1, default);
        await store.DeleteAsync("c1", 1, default);

        Assert.Equal((1, 2, 2, 1), (_operations.Reads, _operations.Writes, _operations.Conflicts, _operations.Deletes));
        Assert.Equal(6, _operations.Total);
    }

    [Fact]
    public async Task TryUpdate_StoreFails_CountedAsAWriteAndTheFailurePassedOn()
    {
        var store = new MeteredCounterStore(new FailingCounterStore(hang: false), _operations);

        await Assert.ThrowsAsync<Azure.RequestFailedException>(async () => await store.TryUpdateAsync("c1", 1, 7, "c", "etag", default));

        Assert.Equal(1, _operations.Writes);
    }
}
