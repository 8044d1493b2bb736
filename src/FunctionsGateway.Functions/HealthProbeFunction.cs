using FunctionsGateway.Health;
using Microsoft.Azure.Functions.Worker;

namespace FunctionsGateway.Functions;

/// <summary>
/// The health-probe timer: on the NCRONTAB schedule in the app setting <c>HealthProbeSchedule</c> (six fields with
/// seconds; <c>*/30 * * * * *</c>, every 30 seconds, is what <c>infra/</c> deploys) it probes every backend and writes the
/// <c>BackendHealth</c> rows every instance reads. The Functions host runs a timer on one instance at a time.
/// </summary>
public sealed class HealthProbeFunction
{
    private readonly HealthProber _prober;

    /// <summary>Creates the function over the shared prober.</summary>
    public HealthProbeFunction(HealthProber prober) => _prober = prober;

    /// <summary>Probes once.</summary>
    [Function("HealthProbe")]
    public Task RunAsync([TimerTrigger("%HealthProbeSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        _prober.ProbeAsync(cancellationToken);
}
