using FunctionsGateway.HostEmulator.Tests.Protocol;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.HostEmulator.Tests.Emulator;

/// <summary>One HTTP invocation as the host saw it: how proxying went and what the worker reported (null when its stream ended first).</summary>
internal sealed record CompletedInvocation(string Function, string InvocationId, ForwarderError ProxyError, InvocationResponse? Response);
