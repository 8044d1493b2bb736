namespace FunctionsGateway.Routing;

// Interim rewriter with the agreed API; replaced by the allocation-conscious one.
internal static class PathRewriter
{
    public static string Rewrite(RouteTemplate matched, RouteTemplate rewrite, ReadOnlySpan<char> requestPath)
    {
        var segments = requestPath.ToString().Trim('/').Split('/');
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < matched.Segments.Length; i++)
        {
            var s = matched.Segments[i];
            if (s.Kind == TemplateSegmentKind.Parameter)
            {
                values[s.Value] = segments[i];
            }
            else if (s.Kind == TemplateSegmentKind.CatchAll)
            {
                values[s.Value] = i < segments.Length ? string.Join('/', segments[i..]) : string.Empty;
            }
        }

        var parts = rewrite.Segments.Select(s => s.Kind == TemplateSegmentKind.Literal ? s.Value : values[s.Value]).Where(p => p.Length > 0);
        return "/" + string.Join('/', parts);
    }
}
