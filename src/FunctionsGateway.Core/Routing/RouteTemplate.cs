using System.Collections.Immutable;

namespace FunctionsGateway.Routing;

/// <summary>
/// A parsed path template such as <c>/orders/{id}</c> or <c>/files/{**rest}</c>.
/// Each segment is a literal, one <c>{parameter}</c>, or a final <c>{**catchAll}</c>;
/// mixed segments (<c>{a}.{b}</c>), optional (<c>{id?}</c>) and constrained (<c>{id:int}</c>) parameters are not supported.
/// </summary>
public sealed class RouteTemplate
{
    private RouteTemplate(string text, ImmutableArray<TemplateSegment> segments)
    {
        Text = text;
        Segments = segments;
    }

    /// <summary>The template as the operator wrote it.</summary>
    public string Text { get; }

    /// <summary>The segments, in order; empty for the root template <c>/</c>.</summary>
    public ImmutableArray<TemplateSegment> Segments { get; }

    /// <summary>True when the last segment is a catch-all.</summary>
    public bool EndsWithCatchAll => Segments.Length > 0 && Segments[^1].Kind == TemplateSegmentKind.CatchAll;

    /// <summary>Parses a template; on failure <paramref name="error"/> says what to write instead.</summary>
    public static bool TryParse(string? text, out RouteTemplate template, out string error)
    {
        template = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty; write a path such as /orders/{id} or /files/{**rest}";
            return false;
        }

        if (text[0] != '/')
        {
            error = $"'{text}' must start with '/', for example '/{text}'";
            return false;
        }

        if (HasQueryOrFragment(text))
        {
            error = $"'{text}' must be a path only, without a query string or fragment";
            return false;
        }

        var parts = text.Length == 1 ? [] : text[1..].TrimEnd('/').Split('/');
        var segments = ImmutableArray.CreateBuilder<TemplateSegment>(parts.Length);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                error = $"'{text}' has an empty segment ('//'); remove the extra '/'";
                return false;
            }

            if (!TryParseSegment(part, out var segment, out error))
            {
                error = $"'{text}': {error}";
                return false;
            }

            if (segment.Kind == TemplateSegmentKind.CatchAll && i != parts.Length - 1)
            {
                error = $"'{text}': the catch-all '{part}' must be the last segment";
                return false;
            }

            if (segment.Kind != TemplateSegmentKind.Literal && !names.Add(segment.Value))
            {
                error = $"'{text}': the parameter '{segment.Value}' appears twice; give each parameter its own name";
                return false;
            }

            segments.Add(segment);
        }

        template = new RouteTemplate(text, segments.MoveToImmutable());
        error = string.Empty;
        return true;
    }

    /// <summary>The names of the template's parameters and catch-all.</summary>
    public IEnumerable<string> ParameterNames =>
        Segments.Where(s => s.Kind != TemplateSegmentKind.Literal).Select(s => s.Value);

    /// <inheritdoc />
    public override string ToString() => Text;

    // A '?' inside braces is an optional parameter ({id?}), which gets its own, more useful message
    // from TryParseSegment; only a '?' or '#' outside braces starts a query string or fragment.
    private static bool HasQueryOrFragment(string text)
    {
        var insideBraces = false;
        foreach (var c in text)
        {
            switch (c)
            {
                case '{':
                    insideBraces = true;
                    break;
                case '}':
                    insideBraces = false;
                    break;
                case '?' or '#' when !insideBraces:
                    return true;
            }
        }

        return false;
    }

    private static bool TryParseSegment(string part, out TemplateSegment segment, out string error)
    {
        segment = null!;
        var opens = part.Count(c => c == '{');
        var closes = part.Count(c => c == '}');
        if (opens == 0 && closes == 0)
        {
            // No request can hold one (the request path guard refuses them), and in a PathRewrite it would let the backend
            // resolve the path out of the rewrite's prefix.
            if (RequestPath.IsDotSegment(part))
            {
                error = $"the segment '{part}' is a dot segment, which URLs resolve away; write the path without '.' and '..' segments";
                return false;
            }

            segment = new TemplateSegment(TemplateSegmentKind.Literal, part);
            error = string.Empty;
            return true;
        }

        if (opens != 1 || closes != 1 || part[0] != '{' || part[^1] != '}')
        {
            error = $"the segment '{part}' must be either plain text or exactly one {{parameter}} filling the whole segment";
            return false;
        }

        var inner = part[1..^1];
        var kind = TemplateSegmentKind.Parameter;
        if (inner.StartsWith("**", StringComparison.Ordinal))
        {
            kind = TemplateSegmentKind.CatchAll;
            inner = inner[2..];
        }
        else if (inner.StartsWith('*'))
        {
            kind = TemplateSegmentKind.CatchAll;
            inner = inner[1..];
        }

        if (inner.Length == 0 || !inner.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(inner[0]))
        {
            error = $"the parameter '{part}' needs a name of letters, digits and '_' (not starting with a digit), such as {{id}} or {{**rest}}; optional (?) and constrained (:int) parameters are not supported";
            return false;
        }

        segment = new TemplateSegment(kind, inner);
        error = string.Empty;
        return true;
    }
}
