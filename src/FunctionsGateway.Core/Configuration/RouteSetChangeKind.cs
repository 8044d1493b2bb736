namespace FunctionsGateway.Configuration;

/// <summary>What applying a route set does to one row.</summary>
internal enum RouteSetChangeKind
{
    /// <summary>The row is in the file, not in the table.</summary>
    Create,

    /// <summary>The row is in both, with other columns.</summary>
    Update,

    /// <summary>The row is in the table, not in the file.</summary>
    Delete,
}
