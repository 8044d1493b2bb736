namespace FunctionsGateway.Core.Tests.Telemetry;

/// <summary>Tests that listen to the gateway's spans, or check that none start; they run alone, as a listener is process-wide.</summary>
[CollectionDefinition(nameof(ActivityListenerCollection), DisableParallelization = true)]
public sealed class ActivityListenerCollection;
