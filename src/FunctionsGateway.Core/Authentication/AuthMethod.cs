namespace FunctionsGateway.Authentication;

/// <summary>How a caller was authenticated; sent to backends in <c>X-Gateway-Auth-Method</c>.</summary>
internal enum AuthMethod
{
    /// <summary>No credentials were checked (<c>anonymous</c>).</summary>
    Anonymous,

    /// <summary>An API key (<c>apikey</c>).</summary>
    ApiKey,

    /// <summary>A bearer JWT (<c>jwt</c>).</summary>
    Jwt,
}
