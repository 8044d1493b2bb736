using Azure;
using Azure.Data.Tables;

namespace FunctionsGateway.Configuration;

/// <summary>A write to the <c>LastValidRows</c> table that a refresh decided on.</summary>
/// <param name="Row">The copy row to add or replace with (keys only for a delete).</param>
/// <param name="IfMatch">The ETag of the copy it replaces or deletes, or null to add a copy where there was none.</param>
/// <param name="Delete">True when the source row is gone and its copy is removed.</param>
internal sealed record LastValidCopyChange(TableEntity Row, ETag? IfMatch, bool Delete);
