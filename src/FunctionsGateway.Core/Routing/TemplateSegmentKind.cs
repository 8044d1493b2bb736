namespace FunctionsGateway.Routing;

/// <summary>The three kinds of path segment, from most to least specific.</summary>
public enum TemplateSegmentKind
{
    /// <summary>Text that must equal the request segment (case-insensitive).</summary>
    Literal = 0,

    /// <summary><c>{name}</c>: any one non-empty segment.</summary>
    Parameter = 1,

    /// <summary><c>{**name}</c> or <c>{*name}</c>: the rest of the path, possibly empty. Last segment only.</summary>
    CatchAll = 2,
}
