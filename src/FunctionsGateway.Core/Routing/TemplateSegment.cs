namespace FunctionsGateway.Routing;

/// <summary>One segment of a <see cref="RouteTemplate"/>.</summary>
/// <param name="Kind">Literal, parameter or catch-all.</param>
/// <param name="Value">The literal text, or the parameter's name.</param>
public sealed record TemplateSegment(TemplateSegmentKind Kind, string Value);
