using Azure;

namespace FunctionsGateway.Configuration;

/// <summary>
/// One row that applying a route set changes.
/// </summary>
/// <param name="Kind">Create, update or delete.</param>
/// <param name="Row">The row as it is to be written (create, update) or the row to delete.</param>
/// <param name="ReadETag">The ETag the table's row had when the diff was read (update, delete), so the change is made only if nobody edited it since.</param>
/// <param name="Columns">The columns that differ, by name.</param>
internal sealed record RouteSetChange(RouteSetChangeKind Kind, RouteSetRow Row, ETag ReadETag, IReadOnlyList<RouteSetColumnChange> Columns)
{
    /// <summary>
    /// The order changes are applied in, so each step leaves rows the gateway can serve: pools are created before the
    /// routes that name them, and routes deleted before the pools they named.
    /// </summary>
    public int ApplyOrder => (Kind, Row.Table) switch
    {
        (not RouteSetChangeKind.Delete, RouteSetTable.Backends) => 0,
        (not RouteSetChangeKind.Delete, RouteSetTable.Routes) => 1,
        (RouteSetChangeKind.Delete, RouteSetTable.Routes) => 2,
        _ => 3,
    };
}
