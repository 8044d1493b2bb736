using System.Text;
using FunctionsGateway.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace FunctionsGateway.Core.Tests.Authentication;

public sealed class JwtValidatorTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private readonly CapturingLogger _logs = new();
    private readonly TestSigningKey _rsa = TestKeys.Rsa1;
    private readonly TestSigningKey _ec = TestKeys.Ec1;
    private readonly TestSigningKey _attacker = TestKeys.Attacker;
    private TestOidcProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _provider = await TestOidcProvider.StartAsync();
        _provider.Publish(_rsa, _ec);
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task ValidateAsync_ValidRs256Token_SucceedsWithIdentityFromClaims()
    {
        var validator = CreateValidator();
        var token = TestTokens.Sign(_rsa, Payload());

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        var identity = result.Identity!;
        Assert.Equal(AuthMethod.Jwt, identity.Method);
        Assert.Equal("client-app", identity.Consumer);
        Assert.Equal("user-42", identity.Subject);
        Assert.Equal(_provider.Issuer, identity.Issuer);
        Assert.Equal(["orders.read", "orders.write"], identity.Scopes.ToArray());
        Assert.Equal(["Orders.Admin"], identity.Roles.ToArray());
        Assert.True(identity.TryGetClaim("tid", out var tenant));
        Assert.Equal("tenant-1", tenant);
    }

    [Fact]
    public async Task ValidateAsync_ValidEs256Token_Succeeds()
    {
        var validator = CreateValidator();
        var token = TestTokens.Sign(_ec, Payload());

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        Assert.Equal("client-app", result.Identity!.Consumer);
    }

    [Fact]
    public async Task ValidateAsync_AlgNone_FailsBeforeAnyKeyIsFetched()
    {
        var validator = CreateValidator();
        var token = TestTokens.Unsigned(Payload());

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.AlgorithmNotAllowed, "The token signing algorithm is not accepted");
        Assert.Equal(0, _provider.JwksRequests);
    }

    [Fact]
    public async Task ValidateAsync_AlgNoneWithASignatureSegment_Fails()
    {
        var validator = CreateValidator();
        var token = TestTokens.Unsigned(Payload()) + "c2lnbmF0dXJl";

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.AlgorithmNotAllowed, "The token signing algorithm is not accepted");
    }

    [Fact]
    public async Task ValidateAsync_Hs256SignedWithTheRsaPublicKeyAsSecret_Fails()
    {
        var validator = CreateValidator();
        var token = TestTokens.Hs256(_rsa.PublicKeyBytes(), _rsa.Kid, Payload());

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.AlgorithmNotAllowed, "The token signing algorithm is not accepted");
    }

    [Fact]
    public async Task ValidateAsync_Hs256EvenWhenTheAllowListIsBypassed_FailsOnTheSignature()
    {
        // Defence in depth: even if HS256 got past the allow-list, the JWKS yields only
        // asymmetric keys, so the public key can never serve as an HMAC secret.
        var validator = CreateValidator();
        await validator.WarmUpAsync(CancellationToken.None);
        var snapshot = validator.Sources[0].Current!;
        var parameters = snapshot.Parameters.Clone();
        parameters.ValidAlgorithms = ["HS256"];
        var token = TestTokens.Hs256(_rsa.PublicKeyBytes(), _rsa.Kid, Payload());

        var result = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(token, parameters);

        Assert.False(result.IsValid);
        Assert.IsAssignableFrom<SecurityTokenInvalidSignatureException>(result.Exception);
    }

    [Fact]
    public async Task ValidateAsync_WrongIssuer_FailsAsNotTrusted()
    {
        var validator = CreateValidator();
        var payload = Payload();
        payload["iss"] = "https://evil.example/";
        var token = TestTokens.Sign(_rsa, payload);

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.IssuerNotTrusted, "The token issuer is not trusted");
    }

    [Fact]
    public async Task ValidateAsync_NoIssuerClaim_FailsAsNotTrusted()
    {
        var validator = CreateValidator();
        var payload = Payload();
        payload.Remove("iss");
        var token = TestTokens.Sign(_rsa, payload);

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.IssuerNotTrusted, "The token issuer is not trusted");
    }

    [Fact]
    public async Task ValidateAsync_WrongAudience_Fails()
    {
        var validator = CreateValidator();
        var payload = Payload();
        payload["aud"] = "api://payments";
        var token = TestTokens.Sign(_rsa, payload);

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.AudienceInvalid, "The token audience is not accepted");
    }

    [Fact]
    public async Task ValidateAsync_ExpiredBeyondClockSkew_FailsAsExpired()
    {
        var validator = CreateValidator(issuer => issuer.ClockSkewSeconds = 60);
        var payload = Payload();
        payload["nbf"] = _time.GetUtcNow().AddMinutes(-10).ToUnixTimeSeconds();
        payload["exp"] = _time.GetUtcNow().AddSeconds(-61).ToUnixTimeSeconds();
        var token = TestTokens.Sign(_rsa, payload);

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.TokenExpired, "The token is expired");
    }

    [Fact]
    public async Task ValidateAsync_ExpiredWithinClockSkew_Succeeds()
    {
        var validator = CreateValidator(issuer => issuer.ClockSkewSeconds = 60);
        var payload = Payload();
        payload["exp"] = _time.GetUtcNow().AddSeconds(-50).ToUnixTimeSeconds();
        var token = TestTokens.Sign(_rsa, payload);

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
    }

    [Fact]
    public async Task ValidateAsync_TokenThatExpiresAsTimePasses_FailsAfterExpiry()
    {
        var validator = CreateValidator(issuer => issuer.ClockSkewSeconds = 0);
        var token = TestTokens.Sign(_rsa, Payload());
        Assert.Equal(AuthOutcome.Succeeded, (await validator.ValidateAsync(token, CancellationToken.None)).Outcome);

        _time.Advance(TimeSpan.FromMinutes(11));
        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.TokenExpired, "The token is expired");
    }

    [Fact]
    public async Task ValidateAsync_NotBeforeInTheFuture_FailsAsNotYetValid()
    {
        var validator = CreateValidator(issuer => issuer.ClockSkewSeconds = 60);
        var payload = Payload();
        payload["nbf"] = _time.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds();
        var token = TestTokens.Sign(_rsa, payload);

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.TokenNotYetValid, "The token is not valid yet");
    }

    [Fact]
    public async Task ValidateAsync_NoExpiry_Fails()
    {
        var validator = CreateValidator();
        var payload = Payload();
        payload.Remove("exp");
        var token = TestTokens.Sign(_rsa, payload);

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.TokenWithoutExpiry, "The token has no expiration time");
    }

    [Fact]
    public async Task ValidateAsync_TamperedPayload_FailsOnTheSignature()
    {
        var validator = CreateValidator();
        var parts = TestTokens.Sign(_rsa, Payload()).Split('.');
        var tampered = Payload();
        tampered["sub"] = "admin";
        var token = $"{parts[0]}.{TestTokens.Encode(tampered)}.{parts[2]}";

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.SignatureInvalid, "The token signature is invalid");
    }

    [Fact]
    public async Task ValidateAsync_TamperedSignature_FailsOnTheSignature()
    {
        var validator = CreateValidator();
        var parts = TestTokens.Sign(_rsa, Payload()).Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[10] ^= 0x01;
        var token = $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}";

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.SignatureInvalid, "The token signature is invalid");
    }

    [Fact]
    public async Task ValidateAsync_SignedByAnotherKeyUnderATrustedKid_FailsOnTheSignature()
    {
        var validator = CreateValidator();
        var token = TestTokens.Sign(_attacker, Payload(), header => header["kid"] = _rsa.Kid);

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.SignatureInvalid, "The token signature is invalid");
    }

    [Fact]
    public async Task ValidateAsync_UnknownKidAfterKeyRollover_RefreshesOnceAndSucceeds()
    {
        var validator = CreateValidator();
        Assert.Equal(AuthOutcome.Succeeded, (await validator.ValidateAsync(TestTokens.Sign(_rsa, Payload()), CancellationToken.None)).Outcome);
        _time.Advance(TimeSpan.FromMinutes(5));
        var fetchesBefore = _provider.JwksRequests;
        var next = TestKeys.Rsa2;
        _provider.Publish(_rsa, next);

        var result = await validator.ValidateAsync(TestTokens.Sign(next, Payload()), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        Assert.Equal(fetchesBefore + 1, _provider.JwksRequests);
    }

    [Fact]
    public async Task ValidateAsync_SameTokenAgain_IsAnsweredFromTheCacheWithoutCheckingItsSignature()
    {
        var validator = CreateValidator();
        var token = TestTokens.Sign(_rsa, Payload());

        var first = await validator.ValidateAsync(token, CancellationToken.None);
        var second = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.Same(first, second);
        Assert.Single(_logs.Entries, e => e.Id.Id == 200);
    }

    [Fact]
    public async Task ValidateAsync_CacheTurnedOff_ChecksEveryTime()
    {
        var validator = CreateValidator(configureOptions: options => options.ValidatedTokenCacheSeconds = 0);
        var token = TestTokens.Sign(_rsa, Payload());

        await validator.ValidateAsync(token, CancellationToken.None);
        await validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(2, _logs.Entries.Count(e => e.Id.Id == 200));
    }

    [Fact]
    public async Task ValidateAsync_CachedTokenWhoseKeyTheIssuerWithdrew_IsRejected()
    {
        var validator = CreateValidator();
        var old = TestTokens.Sign(_rsa, Payload());
        Assert.Equal(AuthOutcome.Succeeded, (await validator.ValidateAsync(old, CancellationToken.None)).Outcome);
        var next = TestKeys.Rsa2;
        _provider.Publish(next);
        Assert.Equal(AuthOutcome.Succeeded, (await validator.ValidateAsync(TestTokens.Sign(next, Payload()), CancellationToken.None)).Outcome);
        _time.Advance(TimeSpan.FromSeconds(5));

        var result = await validator.ValidateAsync(old, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.SigningKeyUnknown, "The token signing key is not known");
    }

    [Fact]
    public async Task ValidateAsync_SameUnknownKidAgain_IsRefusedAtOnceWithoutAnotherFetch()
    {
        var validator = CreateValidator();
        await validator.WarmUpAsync(CancellationToken.None);
        var fetchesBefore = _provider.JwksRequests;
        var token = TestTokens.Sign(TestKeys.Unpublished, Payload());

        var first = await validator.ValidateAsync(token, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(29));
        var second = validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(first, AuthFailureReason.SigningKeyUnknown, "The token signing key is not known");
        Assert.True(second.IsCompleted);
        AssertFailed(await second, AuthFailureReason.SigningKeyUnknown, "The token signing key is not known");
        Assert.Equal(fetchesBefore + 1, _provider.JwksRequests);
    }

    [Fact]
    public async Task ValidateAsync_SameUnknownKidOnceItIsNoLongerRemembered_FetchesAgain()
    {
        var validator = CreateValidator();
        await validator.WarmUpAsync(CancellationToken.None);
        var token = TestTokens.Sign(TestKeys.Unpublished, Payload());
        await validator.ValidateAsync(token, CancellationToken.None);
        var fetchesBefore = _provider.JwksRequests;

        _time.Advance(SigningKeySource.UnknownKeyMemory);
        await validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(fetchesBefore + 1, _provider.JwksRequests);
    }

    [Fact]
    public async Task ValidateAsync_RolloverRightAfterAnAttackersInventedKid_WaitsForTheNextAllowedFetchAndSucceeds()
    {
        var validator = CreateValidator(configureOptions: options => options.UnknownKeyRefreshSeconds = 5);
        await validator.WarmUpAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var invented = TestTokens.Sign(_attacker, Payload(), header => header["kid"] = "invented-by-attacker");
        var attack = await validator.ValidateAsync(invented, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        var next = TestKeys.Rsa2;
        _provider.Publish(_rsa, _ec, next);
        _time.Advance(TimeSpan.FromSeconds(1));

        var genuine = validator.ValidateAsync(TestTokens.Sign(next, Payload()), CancellationToken.None).AsTask();
        var waited = !genuine.IsCompleted;
        _time.Advance(TimeSpan.FromSeconds(3));
        var result = await genuine;

        AssertFailed(attack, AuthFailureReason.SigningKeyUnknown, "The token signing key is not known");
        Assert.True(waited);
        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
    }

    [Fact]
    public async Task ValidateAsync_UnknownKidWhileTooManyRequestsWait_IsUnavailableAtOnce()
    {
        var validator = CreateValidator();
        await validator.WarmUpAsync(CancellationToken.None);
        var source = validator.Sources[0];
        await source.FindUnknownKeyAsync("first-random", CancellationToken.None);
        var waiting = Enumerable.Range(0, SigningKeySource.MaxUnknownKeyWaiters)
            .Select(i => source.FindUnknownKeyAsync($"random-{i}", CancellationToken.None).AsTask())
            .ToList();

        var result = await validator.ValidateAsync(TestTokens.Sign(TestKeys.Rsa2, Payload()), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(5));
        await Task.WhenAll(waiting);

        Assert.Equal(AuthOutcome.Unavailable, result.Outcome);
        Assert.Equal(AuthFailureReason.SigningKeyLookupBusy, result.Reason);
        Assert.Equal(503, result.StatusCode);
        Assert.Equal("The token could not be checked; try again later", result.Description);
        Assert.Equal(5, result.RetryAfterSeconds);
    }

    [Fact]
    public async Task ValidateAsync_RequestCancelledWhileWaitingForTheNextFetch_Throws()
    {
        var validator = CreateValidator();
        await validator.WarmUpAsync(CancellationToken.None);
        await validator.Sources[0].FindUnknownKeyAsync("first-random", CancellationToken.None);
        using var request = new CancellationTokenSource();
        var waiting = validator.ValidateAsync(TestTokens.Sign(TestKeys.Rsa2, Payload()), request.Token).AsTask();

        await request.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task ValidateAsync_TokenWithoutKidAndAnIssuerWithManyKeys_IsTriedAgainstTheFirstKeysOnly()
    {
        var keys = Enumerable.Range(1, SigningKeySnapshot.MaxKeysTriedWithoutKeyId + 2).Select(i => TestSigningKey.Ec($"many-{i}")).ToArray();
        _provider.Publish(keys);
        var validator = CreateValidator();
        string WithoutKid(TestSigningKey key) => TestTokens.Sign(key, Payload(), header => header.Remove("kid"));

        var firstKey = await validator.ValidateAsync(WithoutKid(keys[0]), CancellationToken.None);
        var lastTried = await validator.ValidateAsync(WithoutKid(keys[SigningKeySnapshot.MaxKeysTriedWithoutKeyId - 1]), CancellationToken.None);
        var beyondTheLimit = await validator.ValidateAsync(WithoutKid(keys[^1]), CancellationToken.None);
        var beyondTheLimitWithKid = await validator.ValidateAsync(TestTokens.Sign(keys[^1], Payload()), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, firstKey.Outcome);
        Assert.Equal(AuthOutcome.Succeeded, lastTried.Outcome);
        Assert.Equal(AuthOutcome.Failed, beyondTheLimit.Outcome);
        Assert.Equal(AuthOutcome.Succeeded, beyondTheLimitWithKid.Outcome);
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    [Fact]
    public async Task ValidateAsync_AnyRefusal_DescribesTheKindButNeverTheTrustedIssuerAudiencesOrKeyIds()
    {
        var validator = CreateValidator(configure: issuer => issuer.Audiences.Add("api://billing"));
        var wrongAudience = Payload();
        wrongAudience["aud"] = "api://other";
        var wrongIssuer = Payload();
        wrongIssuer["iss"] = "https://evil.example/";
        var expired = TestTokens.Payload(_provider.Issuer, _time.GetUtcNow().AddHours(-2));
        var tokens = new[]
        {
            TestTokens.Sign(_rsa, wrongAudience),
            TestTokens.Sign(_rsa, wrongIssuer),
            TestTokens.Sign(_rsa, expired),
            TestTokens.Sign(_attacker, Payload()),
            TestTokens.Sign(_attacker, Payload(), header => header["kid"] = _rsa.Kid),
            TestTokens.Sign(_attacker, Payload(), header => header.Remove("kid")),
            TestTokens.Unsigned(Payload()),
            "not.a.token",
        };

        var results = new List<AuthResult>();
        foreach (var token in tokens)
        {
            results.Add(await validator.ValidateAsync(token, CancellationToken.None));
        }

        Assert.Equal(
            [
                AuthFailureReason.AudienceInvalid, AuthFailureReason.IssuerNotTrusted, AuthFailureReason.TokenExpired,
                AuthFailureReason.SigningKeyUnknown, AuthFailureReason.SignatureInvalid, AuthFailureReason.SigningKeyUnknown,
                AuthFailureReason.AlgorithmNotAllowed, AuthFailureReason.TokenMalformed,
            ],
            results.Select(r => r.Reason));
        foreach (var secret in new[] { _provider.Issuer, _provider.Authority, TestTokens.Audience, "api://billing", _rsa.Kid, _ec.Kid, _attacker.Kid, "127.0.0.1" })
        {
            Assert.All(results, r => Assert.DoesNotContain(secret, r.Description, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task ValidateAsync_UntrustedIssuerWhileATrustedIssuersKeysCannotBeFetched_GetsTheSameAnswerAsThatIssuersTokens()
    {
        await using var down = await TestOidcProvider.StartAsync();
        await down.TakeDownAsync();
        var validator = CreateValidator(configureOptions: options =>
        {
            var unreachable = new JwtIssuerOptions { JwksUrl = down.JwksUrl, Issuer = "https://trusted-but-down.example/" };
            unreachable.Audiences.Add(TestTokens.Audience);
            options.Issuers.Add(unreachable);
        });
        var trustedButDown = Payload();
        trustedButDown["iss"] = "https://trusted-but-down.example/";
        var untrusted = Payload();
        untrusted["iss"] = "https://evil.example/";

        var trusted = await validator.ValidateAsync(TestTokens.Sign(_rsa, trustedButDown), CancellationToken.None);
        var other = await validator.ValidateAsync(TestTokens.Sign(_rsa, untrusted), CancellationToken.None);

        Assert.Equal(AuthOutcome.Unavailable, trusted.Outcome);
        Assert.Equal(trusted.StatusCode, other.StatusCode);
        Assert.Equal(trusted.Description, other.Description);
    }

    [Fact]
    public async Task ValidateAsync_ManyConcurrentTokensWithANewKid_ShareOneFetch()
    {
        var validator = CreateValidator();
        await validator.WarmUpAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        var fetchesBefore = _provider.JwksRequests;
        var next = TestKeys.Ec2;
        _provider.Publish(_rsa, _ec, next);
        var token = TestTokens.Sign(next, Payload());

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => validator.ValidateAsync(token, CancellationToken.None).AsTask()));

        Assert.All(results, result => Assert.Equal(AuthOutcome.Succeeded, result.Outcome));
        Assert.Equal(fetchesBefore + 1, _provider.JwksRequests);
    }

    [Fact]
    public async Task ValidateAsync_KeyEndpointDown_ValidatesAgainstCachedKeys()
    {
        var validator = CreateValidator();
        await validator.WarmUpAsync(CancellationToken.None);
        await _provider.TakeDownAsync();
        _time.Advance(TimeSpan.FromMinutes(61));

        var first = await validator.ValidateAsync(TestTokens.Sign(_rsa, Payload()), CancellationToken.None);
        await validator.Sources[0].PendingRefresh;
        var afterFailedRefresh = await validator.ValidateAsync(TestTokens.Sign(_ec, Payload()), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, first.Outcome);
        Assert.Equal(AuthOutcome.Succeeded, afterFailedRefresh.Outcome);
        Assert.Contains(_logs.Entries, e => e.Id.Id == 203);
    }

    [Fact]
    public async Task ValidateAsync_KeyEndpointDownAndUnknownKid_FailsButKnownKeysKeepWorking()
    {
        var validator = CreateValidator();
        await validator.WarmUpAsync(CancellationToken.None);
        await _provider.TakeDownAsync();
        _time.Advance(TimeSpan.FromSeconds(31));
        var unknown = TestKeys.Unpublished;

        var unknownKid = await validator.ValidateAsync(TestTokens.Sign(unknown, Payload()), CancellationToken.None);
        var knownKid = await validator.ValidateAsync(TestTokens.Sign(_rsa, Payload()), CancellationToken.None);

        AssertFailed(unknownKid, AuthFailureReason.SigningKeyUnknown, "The token signing key is not known");
        Assert.Equal(AuthOutcome.Succeeded, knownKid.Outcome);
    }

    [Fact]
    public async Task ValidateAsync_KeyEndpointDownBeforeTheFirstFetch_IsUnavailable()
    {
        var validator = CreateValidator();
        await _provider.TakeDownAsync();

        var result = await validator.ValidateAsync(TestTokens.Sign(_rsa, Payload()), CancellationToken.None);

        Assert.Equal(AuthOutcome.Unavailable, result.Outcome);
        Assert.Equal(AuthFailureReason.SigningKeysUnavailable, result.Reason);
        Assert.Equal(503, result.StatusCode);
    }

    [Theory]
    [InlineData("jku")]
    [InlineData("x5u")]
    public async Task ValidateAsync_KeyUrlHeaderPointingAtAttackerKeys_IsNeverFetched(string header)
    {
        await using var attackerSite = await TestOidcProvider.StartAsync();
        attackerSite.Publish(_attacker);
        var validator = CreateValidator();
        var token = TestTokens.Sign(_attacker, Payload(), h => h[header] = attackerSite.JwksUrl);

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.SigningKeyUnknown, "The token signing key is not known");
        Assert.Equal(0, attackerSite.JwksRequests + attackerSite.OtherRequests + attackerSite.DiscoveryRequests);
    }

    [Fact]
    public async Task ValidateAsync_EmbeddedJwkHeaderWithTheSigningKey_IsIgnored()
    {
        var validator = CreateValidator();
        var token = TestTokens.Sign(_attacker, Payload(), h => h["jwk"] = _attacker.ToJwk());

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.SigningKeyUnknown, "The token signing key is not known");
    }

    [Fact]
    public async Task ValidateAsync_EmbeddedJwkHeaderWithoutKid_IsIgnored()
    {
        var validator = CreateValidator();
        var token = TestTokens.Sign(_attacker, Payload(), h =>
        {
            h.Remove("kid");
            h["jwk"] = _attacker.ToJwk();
        });

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.SigningKeyUnknown, "The token signing key is not known");
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!!.###.$$$")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.not-json.c2ln")]
    [InlineData("bm90IGpzb24.eyJzdWIiOiJ4In0.c2ln")]
    [InlineData("..")]
    public async Task ValidateAsync_MalformedSegments_FailsAsMalformed(string token)
    {
        var validator = CreateValidator();

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.TokenMalformed, "The token is malformed");
    }

    [Fact]
    public async Task ValidateAsync_EncryptedToken_FailsWithoutDecrypting()
    {
        var validator = CreateValidator();
        var header = TestTokens.Encode(new() { ["alg"] = "RSA-OAEP", ["enc"] = "A256GCM", ["kid"] = _rsa.Kid });
        var token = $"{header}.a2V5.aXY.Y2lwaGVy.dGFn";

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        Assert.Equal(AuthOutcome.Failed, result.Outcome);
        Assert.Equal(AuthFailureReason.TokenMalformed, result.Reason);
    }

    [Fact]
    public async Task ValidateAsync_OversizedToken_FailsBeforeParsing()
    {
        var validator = CreateValidator(configureOptions: options => options.MaxTokenBytes = 4096);
        var payload = Payload();
        payload["padding"] = new string('x', 5000);
        var token = TestTokens.Sign(_rsa, payload);

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.TokenTooLarge, "The token is too large");
        Assert.Equal(0, _provider.JwksRequests);
    }

    [Fact]
    public async Task ValidateAsync_AlgorithmOutsideTheIssuersAllowList_Fails()
    {
        var validator = CreateValidator(issuer => issuer.Algorithms.Add("ES256"));
        var token = TestTokens.Sign(_rsa, Payload());

        var result = await validator.ValidateAsync(token, CancellationToken.None);

        AssertFailed(result, AuthFailureReason.AlgorithmNotAllowed, "The token signing algorithm is not accepted");
    }

    [Fact]
    public async Task ValidateAsync_BareJwksIssuer_Succeeds()
    {
        var validator = CreateValidator(issuer =>
        {
            issuer.Authority = null;
            issuer.JwksUrl = _provider.JwksUrl;
            issuer.Issuer = "https://jwks-only.example/";
        });
        var payload = Payload();
        payload["iss"] = "https://jwks-only.example/";

        var result = await validator.ValidateAsync(TestTokens.Sign(_ec, payload), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        Assert.Equal(0, _provider.DiscoveryRequests);
    }

    [Fact]
    public async Task ValidateAsync_ConfiguredIssuerOverridesDiscovery_AcceptsOnlyTheConfiguredIssuer()
    {
        var validator = CreateValidator(issuer => issuer.Issuer = "https://sts.example/tenant/");
        var v1Payload = Payload();
        v1Payload["iss"] = "https://sts.example/tenant/";

        var v1 = await validator.ValidateAsync(TestTokens.Sign(_rsa, v1Payload), CancellationToken.None);
        var discovered = await validator.ValidateAsync(TestTokens.Sign(_rsa, Payload()), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, v1.Outcome);
        AssertFailed(discovered, AuthFailureReason.IssuerNotTrusted, "The token issuer is not trusted");
    }

    [Fact]
    public async Task ValidateAsync_NoIssuersConfigured_FailsAsNotTrusted()
    {
        var validator = new JwtValidator(
            Options.Create(new AuthenticationOptions()),
            new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: true),
            _time,
            _logs);

        var result = await validator.ValidateAsync(TestTokens.Sign(_rsa, Payload()), CancellationToken.None);

        AssertFailed(result, AuthFailureReason.IssuerNotTrusted, "The token issuer is not trusted");
    }

    [Theory]
    [InlineData("azp", "client_id", "from-azp")]
    [InlineData("client_id", "appid", "from-client_id")]
    [InlineData("appid", "sub", "from-appid")]
    public async Task ValidateAsync_ConsumerClaims_FirstPresentWins(string present, string alsoPresent, string expected)
    {
        var validator = CreateValidator();
        var payload = Payload();
        payload.Remove("azp");
        payload[present] = expected;
        payload[alsoPresent] = "later-claim";

        var result = await validator.ValidateAsync(TestTokens.Sign(_rsa, payload), CancellationToken.None);

        Assert.Equal(expected, result.Identity!.Consumer);
    }

    [Fact]
    public async Task ValidateAsync_OnlySub_ConsumerIsSub()
    {
        var validator = CreateValidator();
        var payload = Payload();
        payload.Remove("azp");

        var result = await validator.ValidateAsync(TestTokens.Sign(_rsa, payload), CancellationToken.None);

        Assert.Equal("user-42", result.Identity!.Consumer);
    }

    [Fact]
    public async Task ValidateAsync_NoConsumerClaim_Fails()
    {
        var validator = CreateValidator(issuer => issuer.ConsumerClaims.Add("client_id"));
        var payload = Payload();

        var result = await validator.ValidateAsync(TestTokens.Sign(_rsa, payload), CancellationToken.None);

        AssertFailed(result, AuthFailureReason.ConsumerMissing, "The token does not identify its client");
    }

    [Fact]
    public async Task ValidateAsync_ScopesAsArrayAndAsScopeClaim_AreMerged()
    {
        var validator = CreateValidator();
        var payload = Payload();
        payload["scp"] = new[] { "orders.read", "orders.write" };
        payload["scope"] = "orders.read inventory.read";
        payload["roles"] = "Single.Role";

        var result = await validator.ValidateAsync(TestTokens.Sign(_rsa, payload), CancellationToken.None);

        Assert.Equal(["orders.read", "orders.write", "inventory.read"], result.Identity!.Scopes.ToArray());
        Assert.Equal(["Single.Role"], result.Identity.Roles.ToArray());
    }

    [Fact]
    public async Task ValidateAsync_AnyOutcome_NeverLogsTheToken()
    {
        var validator = CreateValidator();
        var good = TestTokens.Sign(_rsa, Payload());
        var tampered = good[..^4] + "AAAA";
        var unsigned = TestTokens.Unsigned(Payload());

        foreach (var token in new[] { good, tampered, unsigned, "garbage.token.value" })
        {
            await validator.ValidateAsync(token, CancellationToken.None);
        }

        var logged = _logs.AllText;
        Assert.NotEmpty(_logs.Entries);
        foreach (var part in good.Split('.').Concat(tampered.Split('.')))
        {
            Assert.DoesNotContain(part, logged, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ValidateAsync_PlanClaimSet_IdentityCarriesThePlanFromThatClaim()
    {
        var validator = CreateValidator(planClaim: "tier");
        var payload = Payload();
        payload["tier"] = "gold";

        var result = await validator.ValidateAsync(TestTokens.Sign(_rsa, payload), CancellationToken.None);

        Assert.Equal("gold", result.Identity!.Plan);
    }

    [Fact]
    public async Task ValidateAsync_PlanClaimUnset_NoPlanEvenIfTheTokenHasAPlanClaim()
    {
        var validator = CreateValidator();
        var payload = Payload();
        payload["plan"] = "gold";

        var result = await validator.ValidateAsync(TestTokens.Sign(_rsa, payload), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        Assert.Null(result.Identity!.Plan);
    }

    [Theory]
    [InlineData("gold plan")]
    [InlineData(42)]
    public async Task ValidateAsync_PlanClaimNotAPlanName_NoPlan(object value)
    {
        var validator = CreateValidator(planClaim: "tier");
        var payload = Payload();
        payload["tier"] = value;

        var result = await validator.ValidateAsync(TestTokens.Sign(_rsa, payload), CancellationToken.None);

        Assert.Equal(AuthOutcome.Succeeded, result.Outcome);
        Assert.Null(result.Identity!.Plan);
    }

    private static void AssertFailed(AuthResult result, AuthFailureReason reason, string description)
    {
        Assert.Equal(AuthOutcome.Failed, result.Outcome);
        Assert.Equal(reason, result.Reason);
        Assert.Equal(description, result.Description);
        Assert.Equal(AuthMethod.Jwt, result.Method);
        Assert.Equal(401, result.StatusCode);
        Assert.Equal("invalid_token", result.ErrorCode);
    }

    private Dictionary<string, object?> Payload() => TestTokens.Payload(_provider.Issuer, _time.GetUtcNow());

    private JwtValidator CreateValidator(
        Action<JwtIssuerOptions>? configure = null,
        Action<AuthenticationOptions>? configureOptions = null,
        string? planClaim = null)
    {
        var issuer = new JwtIssuerOptions { Authority = _provider.Authority };
        issuer.Audiences.Add(TestTokens.Audience);
        configure?.Invoke(issuer);
        var options = new AuthenticationOptions { RequireHttpsMetadata = false };
        options.Issuers.Add(issuer);
        configureOptions?.Invoke(options);
        return new JwtValidator(
            Options.Create(options),
            new MetadataDocumentRetriever(TestHttpClients.Factory, requireHttps: false),
            _time,
            _logs,
            planClaim);
    }
}
