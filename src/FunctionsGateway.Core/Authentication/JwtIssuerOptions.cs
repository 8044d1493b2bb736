namespace FunctionsGateway.Authentication;

/// <summary>
/// One trusted token issuer. Set exactly one of <see cref="Authority"/>,
/// <see cref="MetadataAddress"/> or <see cref="JwksUrl"/>.
/// </summary>
internal sealed class JwtIssuerOptions
{
    /// <summary>The algorithms accepted when <see cref="Algorithms"/> is empty.</summary>
    public static readonly IReadOnlyList<string> DefaultAlgorithms =
        ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>The claims read for the consumer id when <see cref="ConsumerClaims"/> is empty.</summary>
    public static readonly IReadOnlyList<string> DefaultConsumerClaims = ["azp", "client_id", "appid", "sub"];

    /// <summary>
    /// The OpenID Connect authority, e.g. <c>https://login.microsoftonline.com/{tenant-id}/v2.0</c>;
    /// discovery is read from <c>{Authority}/.well-known/openid-configuration</c>.
    /// </summary>
    /// <value>The default value is null.</value>
    public string? Authority { get; set; }

    /// <summary>
    /// The full address of an OpenID Connect discovery document, for providers that publish it
    /// elsewhere than under the authority.
    /// </summary>
    /// <value>The default value is null.</value>
    public string? MetadataAddress { get; set; }

    /// <summary>
    /// The address of a bare JWKS, for issuers without discovery; <see cref="Issuer"/> is then required.
    /// </summary>
    /// <value>The default value is null.</value>
    public string? JwksUrl { get; set; }

    /// <summary>
    /// The exact <c>iss</c> value tokens must carry. With discovery it defaults to the document's
    /// <c>issuer</c>; set it to accept e.g. Entra ID v1 tokens (<c>https://sts.windows.net/{tenant-id}/</c>)
    /// with keys from the v2 authority.
    /// </summary>
    /// <value>The default value is null (the discovery document's issuer).</value>
    public string? Issuer { get; set; }

    /// <summary>
    /// Accepted <c>aud</c> values; at least one is required, e.g. <c>api://orders</c> or the API's client id.
    /// </summary>
    /// <value>The default value is empty.</value>
    public IList<string> Audiences { get; } = [];

    /// <summary>
    /// Tolerance for clock differences when checking <c>exp</c> and <c>nbf</c>, 0 to 300.
    /// </summary>
    /// <value>The default value is 60 seconds.</value>
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>
    /// The signing algorithms accepted, from RS256, RS384, RS512, PS256, PS384, PS512, ES256,
    /// ES384 and ES512. Symmetric (HS*) algorithms and <c>none</c> are never accepted.
    /// </summary>
    /// <value>The default value is empty, meaning all nine.</value>
    public IList<string> Algorithms { get; } = [];

    /// <summary>
    /// The claims tried in order for the consumer id.
    /// </summary>
    /// <value>The default value is empty, meaning <c>azp</c>, <c>client_id</c>, <c>appid</c>, then <c>sub</c>.</value>
    public IList<string> ConsumerClaims { get; } = [];

    /// <summary>The discovery or JWKS address these options point at, or null when none is set.</summary>
    internal string? KeySourceAddress =>
        !string.IsNullOrWhiteSpace(JwksUrl) ? JwksUrl.Trim()
        : !string.IsNullOrWhiteSpace(MetadataAddress) ? MetadataAddress.Trim()
        : !string.IsNullOrWhiteSpace(Authority) ? Authority.Trim().TrimEnd('/') + "/.well-known/openid-configuration"
        : null;

    /// <summary>Whether <see cref="KeySourceAddress"/> is a bare JWKS rather than a discovery document.</summary>
    internal bool IsJwks => !string.IsNullOrWhiteSpace(JwksUrl);

    /// <summary>The algorithms in force.</summary>
    internal IReadOnlyList<string> EffectiveAlgorithms => Algorithms.Count == 0 ? DefaultAlgorithms : [.. Algorithms];

    /// <summary>The consumer claims in force.</summary>
    internal IReadOnlyList<string> EffectiveConsumerClaims => ConsumerClaims.Count == 0 ? DefaultConsumerClaims : [.. ConsumerClaims];
}
