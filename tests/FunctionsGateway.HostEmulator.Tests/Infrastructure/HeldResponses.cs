namespace FunctionsGateway.HostEmulator.Tests.Infrastructure;

/// <summary>
/// A backend's way to hold a response half-written until the test lets it go: the test learns when a request has
/// arrived, then releases it. Lets a test act (read the first chunk, shut the worker down) while a request is in flight.
/// </summary>
public sealed class HeldResponses
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _arrived = new(0);
    private readonly SemaphoreSlim _released = new(0);

    /// <summary>Called by the backend: says the request is here and waits for the test (at most 30 s).</summary>
    public async Task HoldAsync(CancellationToken cancellationToken)
    {
        _arrived.Release();
        await _released.WaitAsync(Within, cancellationToken);
    }

    /// <summary>Waits until a request is being held, or fails after 30 s or when <paramref name="request"/> ends first (with its answer).</summary>
    public async Task WaitForArrivalAsync(Task<HttpResponseMessage>? request = null)
    {
        using var giveUp = new CancellationTokenSource();
        var arrival = _arrived.WaitAsync(Within, giveUp.Token);
        if (request is not null && await Task.WhenAny(arrival, request) == request)
        {
            // A waiter left behind would take the arrival of the next test's request.
            await giveUp.CancelAsync();
            var response = await request;
            throw new Xunit.Sdk.XunitException($"The request ended before reaching the backend: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.True(await arrival, "No request reached the backend within 30 s.");
    }

    public void Release() => _released.Release();
}
