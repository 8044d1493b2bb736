using Azure.Data.Tables;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Configuration;

/// <summary>
/// Where an invalid row's last valid version comes from while a snapshot is built: the shared copies in the
/// <c>LastValidRows</c> table, validated again by the row's own validator, so every instance serves the same version;
/// or, when the copies could not be read, the previous snapshot of this instance.
/// </summary>
internal sealed class LastValidVersions
{
    private readonly GatewaySnapshot _previous;
    private readonly LastValidCopies? _copies;

    public LastValidVersions(GatewaySnapshot previous, LastValidCopies? copies)
    {
        _previous = previous;
        _copies = copies;
    }

    /// <summary>The row is valid (or validly disabled): it becomes the version a later invalid edit falls back to.</summary>
    public void Keep(RowId row, TableEntity entity) => _copies?.Keep(row, entity);

    /// <summary>The invalid backend row's last valid version, or null.</summary>
    public BackendDefinition? Backend(RowId row, bool allowLinkLocal) => _copies is null
        ? _previous.BackendsById.GetValueOrDefault(row)
        : FromCopy(row, (reader, copy) => BackendRowValidator.Validate(reader, copy, allowLinkLocal));

    /// <summary>The invalid route row's last valid version (its pool not checked yet), or null; null too when that version was disabled.</summary>
    public ValidatedRoute? Route(RowId row, IReadOnlyList<string>? trustedAudiences, bool allowLinkLocal) => _copies is null
        ? _previous.RoutesById.GetValueOrDefault(row)
        : FromCopy(row, (reader, _) => RouteRowValidator.Validate(reader, trustedAudiences, allowLinkLocal));

    private T? FromCopy<T>(RowId row, Func<RowReader, TableEntity, T?> validate)
        where T : class
    {
        if (_copies!.Find(row) is not { } copy)
        {
            return null;
        }

        var reader = new RowReader(row.Table, copy);
        var version = validate(reader, copy);
        if (reader.HasErrors)
        {
            _copies.ReportInvalid(row, reader.Problems);
            return null;
        }

        return version;
    }
}
