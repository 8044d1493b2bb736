namespace FunctionsGateway.Authentication;

/// <summary>Which credentials a route accepts: the <c>Auth</c> column of a route row.</summary>
public enum AuthMode
{
    /// <summary><c>anonymous</c>: no credentials are checked.</summary>
    Anonymous,

    /// <summary><c>apikey</c>: an API key in the configured header.</summary>
    ApiKey,

    /// <summary><c>jwt</c>: a bearer JWT from a trusted issuer.</summary>
    Jwt,

    /// <summary><c>jwt|apikey</c>: a bearer JWT if one is presented, else an API key.</summary>
    JwtOrApiKey,
}
