namespace FunctionsGateway.Telemetry;

/// <summary>
/// Status codes as objects for metric tags, boxed once: a <c>TagList</c> holds its values as objects, and boxing the
/// status anew would allocate on every request.
/// </summary>
internal static class BoxedStatusCodes
{
    private static readonly object[] Boxes = CreateBoxes();

    /// <summary>The boxed <paramref name="status"/>; a shared box for 100–599, a new one outside.</summary>
    public static object Of(int status) => status is >= 100 and < 600 ? Boxes[status - 100] : status;

    private static object[] CreateBoxes()
    {
        var boxes = new object[500];
        for (var i = 0; i < boxes.Length; i++)
        {
            boxes[i] = i + 100;
        }

        return boxes;
    }
}
