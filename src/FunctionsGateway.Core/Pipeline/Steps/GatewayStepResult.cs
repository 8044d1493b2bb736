namespace FunctionsGateway.Pipeline.Steps;

/// <summary>What a step decided: go on, end with a <see cref="GatewayError"/>, or end because it wrote the response.</summary>
internal readonly struct GatewayStepResult
{
    private GatewayStepResult(bool ended, GatewayError? error)
    {
        Ended = ended;
        Error = error;
    }

    /// <summary>The request goes on to the next step.</summary>
    public static GatewayStepResult Continue => default;

    /// <summary>The step wrote the response (or there is nobody left to answer); no later step runs.</summary>
    public static GatewayStepResult Answered { get; } = new(ended: true, error: null);

    /// <summary>True when no later step runs.</summary>
    public bool Ended { get; }

    /// <summary>The problem the handler writes for the client, when the step ended the request with one.</summary>
    public GatewayError? Error { get; }

    /// <summary>Ends the request with <paramref name="error"/>, written as problem+json by the handler.</summary>
    public static GatewayStepResult Fail(GatewayError error) => new(ended: true, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>The result as a completed task, for steps that finish synchronously.</summary>
    public static implicit operator ValueTask<GatewayStepResult>(GatewayStepResult result) => new(result);
}
