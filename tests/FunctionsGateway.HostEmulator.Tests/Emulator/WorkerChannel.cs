using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using FunctionsGateway.HostEmulator.Tests.Protocol;
using Grpc.Core;

namespace FunctionsGateway.HostEmulator.Tests.Emulator;

/// <summary>
/// The host's end of the worker's <c>EventStream</c>: requests go out through one writer (a gRPC stream takes one
/// write at a time), answers are matched to their request by <c>request_id</c>, invocation results by
/// <c>invocation_id</c>, and every <see cref="RpcLog"/> the worker sends is kept.
/// </summary>
internal sealed class WorkerChannel
{
    private readonly Channel<StreamingMessage> _outgoing = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _answers = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse?>> _invocations = new();
    private readonly ConcurrentQueue<RpcLog> _logs = new();
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the worker opened the stream and said who it is.</summary>
    public Task<StartStream> Started => _started.Task;

    /// <summary>Completes when the worker's stream ended.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Every log the worker sent so far.</summary>
    public IReadOnlyList<RpcLog> Logs => [.. _logs];

    /// <summary>Sends a request and waits for the worker's answer to it (the message carrying the same request id).</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, TimeSpan within)
    {
        request.RequestId = Guid.NewGuid().ToString();
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _answers[request.RequestId] = answer;
        await _outgoing.Writer.WriteAsync(request);
        var completed = await Task.WhenAny(answer.Task, _ended.Task, Task.Delay(within));
        _answers.TryRemove(request.RequestId, out _);
        return completed == answer.Task
            ? answer.Task.Result
            : throw new InvalidOperationException(
                $"The worker did not answer {request.ContentCase} within {within.TotalSeconds:0} s{(completed == _ended.Task ? " (its stream ended)" : string.Empty)}.");
    }

    /// <summary>Sends an invocation; the task gives the worker's <see cref="InvocationResponse"/>, or null if the stream ended first.</summary>
    public async Task<InvocationResponse?> InvokeAsync(InvocationRequest invocation)
    {
        var result = new TaskCompletionSource<InvocationResponse?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The host always sends its activity's W3C trace context, and the worker relies on it being there.
        invocation.TraceContext ??= new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01" };
        _invocations[invocation.InvocationId] = result;
        await _outgoing.Writer.WriteAsync(new StreamingMessage { RequestId = Guid.NewGuid().ToString(), InvocationRequest = invocation });
        return await result.Task;
    }

    /// <summary>Sends a message that has no answer (WorkerTerminate).</summary>
    public ValueTask SendAsync(StreamingMessage message) => _outgoing.Writer.WriteAsync(message);

    /// <summary>Serves the stream the worker opened, until it ends.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = WriteAsync(toWorker, stop.Token);
        try
        {
            while (await fromWorker.MoveNext(stop.Token))
            {
                Receive(fromWorker.Current);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or Grpc.Core.RpcException)
        {
            // The worker went away (it exited or was killed): what is pending ends below.
        }
        finally
        {
            await stop.CancelAsync();
            await writing;
            _started.TrySetException(new InvalidOperationException("The worker's stream ended before it sent StartStream."));
            foreach (var pending in _invocations.Values)
            {
                pending.TrySetResult(null);
            }

            _ended.TrySetResult();
        }
    }

    private async Task WriteAsync(IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outgoing.Reader.ReadAllAsync(cancellationToken))
            {
                await toWorker.WriteAsync(message, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The stream is closing; nothing more can be sent.
        }
    }

    private void Receive(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.StartStream:
                _started.TrySetResult(message.StartStream);
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                _logs.Enqueue(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryRemove(message.InvocationResponse.InvocationId, out var invocation))
                {
                    invocation.TrySetResult(message.InvocationResponse);
                }

                break;
            default:
                if (_answers.TryGetValue(message.RequestId, out var answer))
                {
                    answer.TrySetResult(message);
                }

                break;
        }
    }
}
