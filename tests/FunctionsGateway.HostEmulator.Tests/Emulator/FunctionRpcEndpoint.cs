using FunctionsGateway.HostEmulator.Tests.Protocol;
using Grpc.Core;

namespace FunctionsGateway.HostEmulator.Tests.Emulator;

/// <summary>The host's gRPC service the worker connects to; the one stream it opens is served by the emulator's <see cref="WorkerChannel"/>.</summary>
internal sealed class FunctionRpcEndpoint(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
