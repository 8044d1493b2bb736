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

    public GatewayInstance(FakeLastValidRowsTable copies) => _copies = copies;

    public GatewaySnapshot Snapshot { get; private set; } = GatewaySnapshot.Empty;

    /// <summary>Refreshes; with <paramref name="copiesUnreadable"/> the copies table fails as storage can.</summary>
    public GatewaySnapshot Refresh(IReadOnlyList<TableEntity> routes, IReadOnlyList<TableEntity>? backends = null, bool copiesUnreadable = false, bool writeCopies = true)
    {
        var copies = copiesUnreadable ? null : _copies.Read();
        Snapshot = GatewaySnapshotBuilder.Build("Routes", routes, "Backends", backends ?? [], Snapshot, DateTimeOffset.UnixEpoch, lastValidCopies: copies);
        if (copies is not null && writeCopies)
        {
            _copies.Apply(copies);
        }

        return Snapshot;
    }
}
