namespace FunctionsGateway.Authentication;

/// <summary>
/// Authentication settings, bound from the configuration section <c>Gateway:Authentication</c>
/// (app settings <c>Gateway__Authentication__Name</c>) and checked at start by
/// <see cref="AuthenticationOptionsValidator"/>. See docs/auth.md.
/// </summary>
internal sealed class AuthenticationOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Gateway:Authentication";

    /// <summary>
    /// The request header that carries an API key. It is never forwarded to backends.
    /// </summary>
    /// <value>The default value is <c>X-Api-Key</c>.</value>
    public string ApiKeyHeader { get; set; } = "X-Api-Key";

    /// <summary>
    /// How long a key row read from storage is reused before it is read again; disabling a key
    /// takes effect on every instance within this time.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public int ApiKeyCacheSeconds { get; set; } = 30;

    /// <summary>
    /// How long after its cache time a key's last known row may still answer while the row is read again in the
    /// background: a request then never waits for slow storage, and when storage is down the key keeps working
    /// this long, no longer. A key disabled or deleted meanwhile stops working as soon as a read succeeds. Past
    /// this time the request waits for the read, and is answered 503 if storage cannot be read. 0 turns it off.
    /// </summary>
    /// <value>The default value is 300 seconds.</value>
    public int ApiKeyStaleSeconds { get; set; } = 300;

    /// <summary>
    /// How long an unknown key is remembered as unknown, so repeating it does not reach storage;
    /// a key created after it was tried works within this time.
    /// </summary>
    /// <value>The default value is 60 seconds.</value>
    public int ApiKeyNegativeCacheSeconds { get; set; } = 60;

    /// <summary>
    /// The most key rows held in memory per instance.
    /// </summary>
    /// <value>The default value is 10000.</value>
    public int ApiKeyCacheSize { get; set; } = 10_000;

    /// <summary>
    /// The most unknown keys remembered per instance; when full, expired entries are dropped first
    /// and then the whole negative cache, so memory stays bounded under a flood of random keys.
    /// </summary>
    /// <value>The default value is 10000.</value>
    public int ApiKeyNegativeCacheSize { get; set; } = 10_000;

    /// <summary>
    /// The most API-key lookups one instance sends to storage at once; further misses wait for a
    /// free slot (see <see cref="MaxQueuedApiKeyLookups"/>), so a flood of random keys cannot hammer
    /// storage. Concurrent requests with the same key share one lookup.
    /// </summary>
    /// <value>The default value is 16.</value>
    public int MaxConcurrentApiKeyLookups { get; set; } = 16;

    /// <summary>
    /// The most lookups of keys not held in memory that may wait for a free lookup slot per instance. A request
    /// that finds this many waiting is answered 503 <c>auth_unavailable</c> with <c>Retry-After</c> at once
    /// instead of queueing. Refreshes of keys already in memory wait in a lane of their own, ahead of these and
    /// not counted here, so a flood cannot lock real consumers out. 0 lets no lookup wait.
    /// </summary>
    /// <value>The default value is 256 (sixteen rounds of lookups at the default 16 in flight).</value>
    public int MaxQueuedApiKeyLookups { get; set; } = 256;

    /// <summary>
    /// How many failed authentications (rejected API keys or tokens, 400/401) one client address may have within
    /// <see cref="FailedAuthWindowSeconds"/> before credentials from it that the gateway does not already hold
    /// in memory are answered 429 without a storage read or a signature check. 0 turns the throttle off.
    /// </summary>
    /// <value>The default value is 20.</value>
    public int MaxFailedAuthPerClient { get; set; } = 20;

    /// <summary>
    /// The window of <see cref="MaxFailedAuthPerClient"/>: it starts at an address's first failure; once the
    /// limit is reached the address is throttled until the window ends, then starts afresh.
    /// </summary>
    /// <value>The default value is 60 seconds.</value>
    public int FailedAuthWindowSeconds { get; set; } = 60;

    /// <summary>
    /// The most client addresses whose failures are remembered per instance (about 100 bytes each). When full,
    /// addresses whose window ended are forgotten first, then those not throttled, and if that frees too
    /// little, all of them.
    /// </summary>
    /// <value>The default value is 10000.</value>
    public int FailedAuthTrackedClients { get; set; } = 10_000;

    /// <summary>
    /// The longest bearer token accepted; longer ones are rejected before they are parsed.
    /// </summary>
    /// <value>The default value is 16384 bytes (Entra ID tokens with group claims reach a few KiB).</value>
    public int MaxTokenBytes { get; set; } = 16 * 1024;

    /// <summary>
    /// How long a token that passed validation is remembered, so the same token is not checked again on every
    /// request; never past the token's own expiry, and never once its signing key is withdrawn. 0 checks every
    /// request. The default value is 300 seconds.
    /// </summary>
    public int ValidatedTokenCacheSeconds { get; set; } = 300;

    /// <summary>How many validated tokens are remembered at most. The default value is 10000.</summary>
    public int ValidatedTokenCacheSize { get; set; } = 10_000;

    /// <summary>
    /// How old an issuer's signing keys may get before they are fetched again in the background
    /// (the request that notices keeps using the cached keys).
    /// </summary>
    /// <value>The default value is 60 minutes.</value>
    public int MetadataRefreshMinutes { get; set; } = 60;

    /// <summary>
    /// The least time between two routine fetches of one issuer's metadata: a failed first or
    /// background fetch is retried no sooner. Fetches for an unknown <c>kid</c> have their own
    /// interval, <see cref="UnknownKeyRefreshSeconds"/>.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public int MinimumMetadataRefreshSeconds { get; set; } = 30;

    /// <summary>
    /// The least time between two fetches of one issuer's keys caused by tokens whose <c>kid</c> is not
    /// among the cached keys, 1 to 30. A token with an unknown <c>kid</c> arriving sooner waits for the
    /// next allowed fetch (at most this long, plus the fetch itself) instead of failing, so an attacker's
    /// invented <c>kid</c> cannot make the first token signed with a newly published key fail; and a flood
    /// of invented <c>kid</c>s costs at most one fetch per issuer per interval.
    /// </summary>
    /// <value>The default value is 5 seconds.</value>
    public int UnknownKeyRefreshSeconds { get; set; } = 5;

    /// <summary>
    /// How long one metadata or JWKS request may take.
    /// </summary>
    /// <value>The default value is 10 seconds.</value>
    public int MetadataTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Whether metadata and JWKS addresses must be <c>https</c>. Only tests and local
    /// development against a loopback provider should turn this off.
    /// </summary>
    /// <value>The default value is true.</value>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// The <c>realm</c> in <c>WWW-Authenticate</c> challenges.
    /// </summary>
    /// <value>The default value is <c>gateway</c>.</value>
    public string Realm { get; set; } = "gateway";

    /// <summary>
    /// The trusted token issuers (<c>Gateway__Authentication__Issuers__0__Authority</c>, ...).
    /// </summary>
    /// <value>The default value is empty: no JWT is accepted.</value>
    public IList<JwtIssuerOptions> Issuers { get; } = [];
}
