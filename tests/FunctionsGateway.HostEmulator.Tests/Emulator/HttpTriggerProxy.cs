using System.Collections.Concurrent;
using System.Net;
using FunctionsGateway.HostEmulator.Tests.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.HostEmulator.Tests.Emulator;

/// <summary>
/// The host's HTTP front: picks the HTTP-triggered function for a request (a literal route before a template such as
/// the catch-all, as the host's routing does), checks the function key where the trigger asks for one, then runs the
/// ASP.NET Core integration's pairing: an InvocationRequest over gRPC and the request itself proxied to the worker's
/// <c>HttpUri</c> with the same <c>x-ms-invocation-id</c>. The worker's HTTP response streams back to the client.
/// </summary>
internal sealed class HttpTriggerProxy(
    IReadOnlyList<LoadedFunction> functions, WorkerChannel channel, IHttpForwarder forwarder, Uri workerHttp, bool homepageDisabled, string functionKey)
{
    private readonly HttpMessageInvoker _toWorker = new(new SocketsHttpHandler
    {
        UseProxy = false, AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None, UseCookies = false,
    });

    private readonly ConcurrentQueue<CompletedInvocation> _completed = new();

    /// <summary>Every HTTP invocation that finished, in order.</summary>
    public IReadOnlyList<CompletedInvocation> Completed => [.. _completed];

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value?.Trim('/') ?? string.Empty;
        if (path.Length == 0 && !homepageDisabled)
        {
            // AzureWebJobsDisableHomepage unset: the host answers "/" itself and the catch-all never sees it.
            await context.Response.WriteAsync("Your Functions 4.0 app is up and running");
            return;
        }

        var function = Match(path, context.Request.Method);
        if (function is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (function.NeedsFunctionKey && !HasFunctionKey(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        var invocationId = Guid.NewGuid().ToString();
        var invocation = channel.InvokeAsync(new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.Id,
            InputData =
            {
                new ParameterBinding
                {
                    Name = function.TriggerName,
                    // With the HttpUri capability the body travels over HTTP, not gRPC: the trigger data carries the request line only.
                    Data = new TypedData { Http = new RpcHttp { Method = context.Request.Method, Url = UriHelper.GetEncodedUrl(context.Request) } },
                },
            },
        });
        var error = await forwarder.SendAsync(context, workerHttp.ToString(), _toWorker, ForwarderRequestConfig.Empty, new FunctionsHostTransformer(invocationId));
        var result = await invocation.WaitAsync(TimeSpan.FromSeconds(60));
        _completed.Enqueue(new CompletedInvocation(function.Name, invocationId, error, result));
    }

    private LoadedFunction? Match(string path, string method)
    {
        var http = functions.Where(f => f.IsHttp && f.Accepts(method)).ToList();
        return http.FirstOrDefault(f => f.IsLiteralRoute && f.Route.Trim('/').Equals(path, StringComparison.OrdinalIgnoreCase))
            ?? http.FirstOrDefault(f => !f.IsLiteralRoute);
    }

    private bool HasFunctionKey(HttpRequest request) =>
        request.Query["code"] == functionKey || request.Headers["x-functions-key"] == functionKey;
}
