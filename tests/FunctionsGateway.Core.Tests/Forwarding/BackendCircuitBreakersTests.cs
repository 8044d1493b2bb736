using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>
/// The per-backend circuit breakers: they open on failed attempts (connect failures, timeouts, 5xx), keep the backend out
/// for the break, let one trial through after it and close on its success, telling their listeners each time.
/// </summary>
public sealed class BackendCircuitBreakersTests
{
    private static readonly AttemptResult Refused = new(AttemptKind.ConnectFailure, 0, ForwarderError.Request, Retry: false);
    private static readonly AttemptResult Ok = new(AttemptKind.Answered, 200, ForwarderError.None, Retry: false);

    private readonly FakeTimeProvider _time = new();
    private readonly BackendCircuitBreakers _breakers;
    private readonly BackendDefinition _backend = new() { Id = new RowId("Backends", "orders", "orders-1"), Url = new Uri("http://orders-1.test/") };
    private readonly List<string> _changes = [];

    public BackendCircuitBreakersTests()
    {
        var options = new GatewayOptions { Forwarding = { CircuitBreaker = { FailureRatio = 0.5, MinimumThroughput = 4, SamplingDurationSeconds = 10, BreakDurationSeconds = 5 } } };
        _breakers = new BackendCircuitBreakers(Options.Create(options), _time, NullLogger<BackendCircuitBreakers>.Instance)
        {
            OnOpened = id => _changes.Add($"opened {id.Key}"),
            OnHalfOpened = id => _changes.Add($"half_opened {id.Key}"),
            OnClosed = id => _changes.Add($"closed {id.Key}"),
        };
    }

    [Fact]
    public async Task Attempts_FailureRatioReachedWithMinimumThroughput_OpensAndTellsTheListener()
    {
        await Attempt(Ok);
        await Attempt(Ok);
        await Attempt(Refused);

        Assert.False(_breakers.IsOpen(_backend));

        await Attempt(Refused);

        Assert.True(_breakers.IsOpen(_backend));
        Assert.Equal(["opened orders/orders-1"], _changes);
    }

    [Theory]
    [InlineData(nameof(AttemptKind.Timeout), 0)]
    [InlineData(nameof(AttemptKind.BackendFailure), 0)]
    [InlineData(nameof(AttemptKind.Answered), 500)]
    [InlineData(nameof(AttemptKind.Held), 503)]
    public async Task Attempts_OtherBackendFailures_CountToo(string ended, int status)
    {
        var kind = Enum.Parse<AttemptKind>(ended);
        for (var i = 0; i < 4; i++)
        {
            await Attempt(new AttemptResult(kind, status, ForwarderError.None, Retry: false));
        }

        Assert.True(_breakers.IsOpen(_backend));
    }

    [Theory]
    [InlineData(nameof(AttemptKind.Answered), 404)]
    [InlineData(nameof(AttemptKind.Answered), 429)]
    [InlineData(nameof(AttemptKind.Cancelled), 0)]
    public async Task Attempts_ClientErrorsAndCancellations_DoNotCount(string ended, int status)
    {
        var kind = Enum.Parse<AttemptKind>(ended);
        for (var i = 0; i < 10; i++)
        {
            await Attempt(new AttemptResult(kind, status, ForwarderError.None, Retry: false));
        }

        Assert.False(_breakers.IsOpen(_backend));
    }

    [Fact]
    public async Task Open_WhileTheBreakLasts_RefusesAttempts()
    {
        await OpenAsync();

        var outcome = await Attempt(Ok);

        Assert.IsType<BrokenCircuitException>(outcome.Exception);
    }

    [Fact]
    public async Task Open_BreakPassed_IsNoLongerOpenAndLetsOneTrialThrough()
    {
        await OpenAsync();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(_breakers.IsOpen(_backend));

        var trial = new TaskCompletionSource<Outcome<AttemptResult>>();
        var first = Attempt(() => new ValueTask<Outcome<AttemptResult>>(trial.Task));
        var second = await Attempt(Ok);
        trial.SetResult(Outcome.FromResult(Ok));
        await first;

        Assert.IsType<BrokenCircuitException>(second.Exception);
        Assert.Equal(["opened orders/orders-1", "half_opened orders/orders-1", "closed orders/orders-1"], _changes);
        Assert.Equal(CircuitState.Closed, _breakers.For(_backend).State.CircuitState);
    }

    [Fact]
    public async Task Open_TrialFails_OpensAgainForAnotherBreak()
    {
        await OpenAsync();
        _time.Advance(TimeSpan.FromSeconds(5));

        await Attempt(Refused);

        Assert.True(_breakers.IsOpen(_backend));
        Assert.Equal(["opened orders/orders-1", "half_opened orders/orders-1", "opened orders/orders-1"], _changes);
    }

    [Fact]
    public async Task Observe_BackendLeftTheTables_ItsBreakerIsDropped()
    {
        await OpenAsync();

        _breakers.Observe(GatewaySnapshot.Empty);

        Assert.False(_breakers.IsOpen(_backend));
    }

    [Fact]
    public void RetryAfter_UntilItPasses_IsPending()
    {
        _breakers.RetryAfter(_backend, TimeSpan.FromSeconds(30));

        Assert.True(_breakers.IsRetryAfterPending(_backend));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(_breakers.IsRetryAfterPending(_backend));
    }

    private async Task OpenAsync()
    {
        for (var i = 0; i < 4; i++)
        {
            await Attempt(Refused);
        }

        Assert.True(_breakers.IsOpen(_backend));
    }

    private ValueTask<Outcome<AttemptResult>> Attempt(AttemptResult result) =>
        Attempt(() => new ValueTask<Outcome<AttemptResult>>(Outcome.FromResult(result)));

    private async ValueTask<Outcome<AttemptResult>> Attempt(Func<ValueTask<Outcome<AttemptResult>>> attempt)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            return await _breakers.For(_backend).Pipeline.ExecuteOutcomeAsync((_, send) => send(), context, attempt);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
