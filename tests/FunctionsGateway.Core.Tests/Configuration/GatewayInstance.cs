using Azure.Data.Tables;
using FunctionsGateway.Configuration;

namespace FunctionsGateway.Core.Tests.Configuration;

/// <summary>
/// One gateway instance as its refresher sees the tables: each refresh reads the rows and the shared copies, builds the
/// snapshot over its previous one and writes the copies it decided on.
/// </summary>
internal sealed class GatewayInstance
{
    private readonly FakeLastValidRowsTable _copies;
    private List<TableEntity> _unwritten = [];

    public GatewayInstance(FakeLastValidRowsTable copies) => _copies = copies;

    public GatewaySnapshot Snapshot { get; private set; } = GatewaySnapshot.Empty;

    /// <summary>
    /// Refreshes; with <paramref name="copiesUnreadable"/> the copies table cannot be read, with <paramref name="writesFail"/>
    /// it can be read but not written (the instance keeps what it could not write, as the store does).
    /// </summary>
    public GatewaySnapshot Refresh(IReadOnlyList<TableEntity> routes, IReadOnlyList<TableEntity>? backends = null, bool copiesUnreadable = false, bool writesFail = false)
    {
        var copies = copiesUnreadable ? null : _copies.Read(_unwritten);
        Snapshot = GatewaySnapshotBuilder.Build("Routes", routes, "Backends", backends ?? [], Snapshot, DateTimeOffset.UnixEpoch, lastValidCopies: copies);
        if (copies is null)
        {
            return Snapshot;
        }

        if (writesFail)
        {
            _unwritten = [.. copies.Changes.Where(c => !c.Delete).Select(c => c.Row)];
        }
        else
        {
            _unwritten = [];
            _copies.Apply(copies);
        }

        return Snapshot;
    }
}
