namespace FunctionsGateway.Routing;

/// <summary>What the gateway does with a request path that contains characters some backends read differently.</summary>
internal enum PathCharacterHandling
{
    /// <summary>The request is answered 400 <c>invalid_path</c> and never reaches a backend.</summary>
    Reject,

    /// <summary>The request is matched and forwarded with the characters as the client sent them.</summary>
    Keep,
}
