using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FunctionsGateway.Configuration;

/// <summary>
/// The values a table column holds, by the Table service's type names (String, Int32, Int64, Boolean, Double,
/// DateTime, Guid, Binary): one form per type, so a value read from storage, one read from a file and one written
/// back compare equal exactly when storage would hold the same thing.
/// </summary>
internal static class RouteSetValue
{
    /// <summary>The type names a route-set file may give in <c>{ "type": ..., "value": ... }</c>.</summary>
    public static IReadOnlyList<string> TypeNames { get; } = ["String", "Int32", "Int64", "Boolean", "Double", "DateTime", "Guid", "Binary"];

    /// <summary>One form per type: dates in UTC (storage keeps no offset), binary as a byte array.</summary>
    public static object Normalize(object value) => value switch
    {
        DateTimeOffset date => date.ToUniversalTime(),
        DateTime date => new DateTimeOffset(DateTime.SpecifyKind(date, date.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : date.Kind)).ToUniversalTime(),
        BinaryData binary => binary.ToArray(),
        _ => value,
    };

    public static string TypeName(object value) => value switch
    {
        string => "String",
        int => "Int32",
        long => "Int64",
        bool => "Boolean",
        double => "Double",
        DateTimeOffset => "DateTime",
        Guid => "Guid",
        byte[] => "Binary",
        _ => value.GetType().Name,
    };

    /// <summary>Equal when of the same type and value: <c>5</c> as Int32 and <c>"5"</c> as String differ, as they do in storage.</summary>
    public static bool AreEqual(object left, object right) => (left, right) switch
    {
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        _ => left.GetType() == right.GetType() && left.Equals(right),
    };

    /// <summary>
    /// The value as text without its type (<c>5</c>, <c>true</c>, <c>2027-01-31T00:00:00.0000000+00:00</c>, base64 for
    /// binary), as a file's typed form writes it.
    /// </summary>
    public static string Text(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset date => date.ToString("O", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>For a person: strings quoted as in JSON, Int32 and Boolean bare, other types named (<c>Int64 5</c>).</summary>
    public static string Display(object value) => value switch
    {
        string s => $"\"{JsonEncodedText.Encode(s, JavaScriptEncoder.UnsafeRelaxedJsonEscaping)}\"",
        int or bool => Text(value),
        _ => $"{TypeName(value)} {Text(value)}",
    };

    /// <summary>Reads the text of a typed form; false when it is not a value of that type.</summary>
    public static bool TryParse(string type, string text, [NotNullWhen(true)] out object? value)
    {
        var invariant = CultureInfo.InvariantCulture;
        value = type switch
        {
            "String" => text,
            "Int32" when int.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var i) => i,
            "Int64" when long.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out var l) => l,
            "Boolean" when bool.TryParse(text, out var b) => b,
            "Double" when double.TryParse(text, NumberStyles.Float, invariant, out var d) => d,
            "DateTime" when DateTimeOffset.TryParse(text, invariant, DateTimeStyles.AssumeUniversal, out var date) => date.ToUniversalTime(),
            "Guid" when Guid.TryParse(text, invariant, out var guid) => guid,
            "Binary" when TryBase64(text, out var bytes) => bytes,
            _ => null,
        };
        return value is not null;
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[(text.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
        {
            return false;
        }

        bytes = bytes[..written];
        return true;
    }
}
