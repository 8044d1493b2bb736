namespace FunctionsGateway.Routing;

/// <summary>Why a request path is refused before matching; each has its own detail in the 400 <c>invalid_path</c> answer.</summary>
internal enum PathProblem
{
    /// <summary>Nothing: the path can be matched and forwarded as sent.</summary>
    None,

    /// <summary>A <c>.</c> or <c>..</c> segment, in any encoding (<c>%2e%2e</c>, <c>.%2E</c>), also delimited by an encoded slash or a <c>;</c>.</summary>
    DotSegment,

    /// <summary><c>%2F</c> or <c>%5C</c>, also double-encoded (<c>%252F</c>), while encoded slashes are rejected.</summary>
    EncodedSlash,

    /// <summary>A raw <c>\</c> (or <c>%5C</c> decoded into one) while encoded slashes are rejected.</summary>
    Backslash,

    /// <summary>An encoded slash or backslash in an absolute-form target, whose path the server has already decoded.</summary>
    EncodedSlashInAbsoluteForm,

    /// <summary>A <c>;</c> or <c>%3B</c> while path parameters are rejected.</summary>
    PathParameter,

    /// <summary>A control character such as <c>%00</c>, <c>%0A</c> or <c>%7F</c>.</summary>
    ControlCharacter,

    /// <summary>Percent-encoded bytes that are not UTF-8, such as the overlong <c>%C0%AE</c> for '.'.</summary>
    InvalidUtf8,
}
