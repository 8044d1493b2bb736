namespace FunctionsGateway.RateLimiting;

/// <summary>What requests are counted by: a kind, with the header or claim name for those kinds.</summary>
/// <param name="Kind">The kind of key.</param>
/// <param name="Name">The header or claim name; null for the other kinds.</param>
internal sealed record RateLimitKeySource(RateLimitKeyKind Kind, string? Name = null)
{
    /// <summary>The default: by consumer.</summary>
    public static readonly RateLimitKeySource Consumer = new(RateLimitKeyKind.Consumer);

    /// <inheritdoc />
    public override string ToString() => Name is null ? Kind.ToString().ToLowerInvariant() : $"{Kind.ToString().ToLowerInvariant()}:{Name}";
}
