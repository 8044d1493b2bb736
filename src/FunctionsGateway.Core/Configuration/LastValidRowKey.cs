namespace FunctionsGateway.Configuration;

/// <summary>
/// The RowKey of a row's copy in the <c>LastValidRows</c> table: the source row's PartitionKey and RowKey joined by
/// <c>|</c> (<c>public|orders</c>), readable in Storage Explorer. Keys cannot hold <c>/</c>, so <c>|</c> and <c>%</c>
/// inside a key are written <c>%7C</c> and <c>%25</c>, which keeps every pair of keys apart.
/// </summary>
internal static class LastValidRowKey
{
    private const char Separator = '|';

    public static string For(string partitionKey, string rowKey) => Escape(partitionKey) + Separator + Escape(rowKey);

    /// <summary>Reads a copy's RowKey back into the source row's keys; false when it was not made by <see cref="For"/>.</summary>
    public static bool TryParse(string copyRowKey, out string partitionKey, out string rowKey)
    {
        partitionKey = rowKey = string.Empty;
        var parts = copyRowKey.Split(Separator);
        return parts.Length == 2 && TryUnescape(parts[0], out partitionKey) && TryUnescape(parts[1], out rowKey);
    }

    private static string Escape(string key) => key.Replace("%", "%25", StringComparison.Ordinal).Replace("|", "%7C", StringComparison.Ordinal);

    // Only what Escape writes reads back: a stray '%' (or '%41') would make two spellings of one key.
    private static bool TryUnescape(string text, out string key)
    {
        key = text.Replace("%7C", "|", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);
        return !text.Contains('%', StringComparison.Ordinal) || Escape(key) == text;
    }
}
