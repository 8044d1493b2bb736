using System.Net;
using System.Net.Sockets;
using FunctionsGateway.Functions.Tests;
using FunctionsGateway.HostEmulator.Tests.Protocol;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace FunctionsGateway.HostEmulator.Tests.Emulator;

/// <summary>
/// Plays the Azure Functions host for the published worker: serves the <c>FunctionRpc</c> gRPC service on loopback,
/// starts the worker the way the host does (<see cref="WorkerProcess"/>), then initialises it (WorkerInitRequest, reading
/// the <c>HttpUri</c> capability of the ASP.NET Core integration), asks it for its functions (FunctionsMetadataRequest),
/// loads each one (FunctionLoadRequest), and opens the HTTP front (<see cref="HttpTriggerProxy"/>). Timer functions
/// are invoked on request (<see cref="InvokeTimerAsync"/>), and <see cref="ShutdownAsync"/> ends the worker with
/// WorkerTerminate as the host does when an instance is recycled or scaled in.
/// </summary>
internal sealed class FunctionsHostEmulator : IAsyncDisposable
{
    /// <summary>The one function key the emulated host accepts (<c>?code=</c> or <c>x-functions-key</c>).</summary>
    public const string FunctionKey = "emulated-function-key";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly WebApplication _grpc;
    private readonly WorkerChannel _channel;
    private readonly WorkerProcess _worker;
    private WebApplication? _front;
    private HttpTriggerProxy? _proxy;

    private FunctionsHostEmulator(WebApplication grpc, WorkerChannel channel, WorkerProcess worker)
    {
        _grpc = grpc;
        _channel = channel;
        _worker = worker;
    }

    /// <summary>The host's public HTTP address (what the front end forwards to).</summary>
    public Uri FrontEnd { get; private set; } = null!;

    /// <summary>The worker's capabilities from WorkerInitResponse.</summary>
    public IReadOnlyDictionary<string, string> Capabilities { get; private set; } = new Dictionary<string, string>();

    /// <summary>The functions the worker indexed and loaded.</summary>
    public IReadOnlyList<LoadedFunction> Functions { get; private set; } = [];

    /// <summary>The logs the worker sent over the stream (its ILogger output, as the host receives it).</summary>
    public IReadOnlyList<RpcLog> Logs => _channel.Logs;

    /// <summary>HTTP invocations that finished.</summary>
    public IReadOnlyList<CompletedInvocation> HttpInvocations => _proxy?.Completed ?? [];

    /// <summary>The worker process's own output.</summary>
    public string WorkerOutput => _worker.Output;

    /// <summary>Starts the published worker with <paramref name="appSettings"/>; the failure text says what the worker printed if it did not come up.</summary>
    public static async Task<(FunctionsHostEmulator? Host, string? Failure)> TryStartAsync(IReadOnlyDictionary<string, string?> appSettings)
    {
        var appFolder = await WorkerPublication.FolderAsync();
        var channel = new WorkerChannel();
        var grpc = await StartGrpcAsync(channel);
        var workerId = Guid.NewGuid().ToString();
        var environment = new Dictionary<string, string?>(appSettings)
        {
            // What the host adds for every worker it starts.
            ["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated",
            ["FUNCTIONS_EXTENSION_VERSION"] = "~4",
            ["AzureWebJobsScriptRoot"] = appFolder,
            ["FUNCTIONS_WORKER_DIRECTORY"] = appFolder,
            ["FUNCTIONS_APPLICATION_DIRECTORY"] = appFolder,
        };
        var worker = WorkerProcess.Start(appFolder, new Uri(grpc.Urls.First()), workerId, Guid.NewGuid().ToString(), environment);
        var host = new FunctionsHostEmulator(grpc, channel, worker);
        try
        {
            var started = await Task.WhenAny(channel.Started, worker.Exited, Task.Delay(StartTimeout));
            if (started != channel.Started)
            {
                var failure = worker.Exited.IsCompleted
                    ? $"The worker exited with code {worker.Exited.Result} before connecting:\n{worker.Output}"
                    : $"The worker did not connect within {StartTimeout.TotalSeconds:0} s:\n{worker.Output}";
                await host.DisposeAsync();
                return (null, failure);
            }

            if (channel.Started.Result.WorkerId != workerId)
            {
                throw new InvalidOperationException($"The worker said it is '{channel.Started.Result.WorkerId}', but was started as '{workerId}'.");
            }

            await host.InitialiseAsync(appFolder, appSettings);
            return (host, null);
        }
        catch (InvalidOperationException ex)
        {
            var failure = $"{ex.Message}\nWorker output:\n{worker.Output}";
            await host.DisposeAsync();
            return (null, failure);
        }
    }

    /// <summary>A client of the front end whose connections come from <paramref name="clientAddress"/> (any 127.x.y.z works on loopback).</summary>
    public HttpClient CreateClient(IPAddress? clientAddress = null) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(clientAddress ?? IPAddress.Loopback, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = FrontEnd,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Invokes a timer-triggered function once, as the host does when its schedule comes due.</summary>
    public async Task<InvocationResponse> InvokeTimerAsync(string functionName)
    {
        var function = Functions.Single(f => f.Name == functionName && f.TriggerType.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase));
        var response = await _channel.InvokeAsync(new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.Id,
            InputData =
            {
                new ParameterBinding
                {
                    Name = function.TriggerName,
                    Data = new TypedData { Json = """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}""" },
                },
            },
        }).WaitAsync(TimeSpan.FromSeconds(60));
        return response ?? throw new InvalidOperationException($"The worker's stream ended before {functionName} finished:\n{_worker.Output}");
    }

    /// <summary>
    /// Sends WorkerTerminate with a grace period and waits for the worker to exit; kills it after the grace period,
    /// as the host does. Returns the exit code, or null when it had to be killed.
    /// </summary>
    public async Task<int?> ShutdownAsync(TimeSpan gracePeriod)
    {
        await _channel.SendAsync(new StreamingMessage
        {
            RequestId = Guid.NewGuid().ToString(),
            WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) },
        });
        var exited = await Task.WhenAny(_worker.Exited, Task.Delay(gracePeriod));
        return exited == _worker.Exited ? _worker.Exited.Result : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _worker.DisposeAsync();
        if (_front is not null)
        {
            await _front.StopAsync();
            await _front.DisposeAsync();
        }

        await _grpc.StopAsync();
        await _grpc.DisposeAsync();
    }

    private static async Task<WebApplication> StartGrpcAsync(WorkerChannel channel)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The worker's gRPC client speaks HTTP/2 without TLS (http://HOST:PORT), so the endpoint is HTTP/2 only.
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = null);
        builder.Services.AddSingleton(channel);
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcEndpoint>();
        await app.StartAsync();
        return app;
    }

    private async Task InitialiseAsync(string appFolder, IReadOnlyDictionary<string, string?> appSettings)
    {
        var timeout = TimeSpan.FromSeconds(60);
        var init = (await _channel.RequestAsync(new StreamingMessage
        {
            WorkerInitRequest = new WorkerInitRequest { HostVersion = "4.0.0-emulator", WorkerDirectory = appFolder, FunctionAppDirectory = appFolder },
        }, timeout)).WorkerInitResponse;
        Ensure(init.Result, "WorkerInitRequest");
        Capabilities = init.Capabilities.ToDictionary(c => c.Key, c => c.Value);
        if (!Capabilities.TryGetValue("HttpUri", out var httpUri))
        {
            throw new InvalidOperationException(
                "The worker reported no HttpUri capability, so HTTP triggers cannot be proxied to its ASP.NET Core integration. "
                + $"Capabilities: {string.Join(", ", Capabilities.Keys)}. Is ConfigureFunctionsWebApplication() still called in Program.cs?");
        }

        var metadata = (await _channel.RequestAsync(new StreamingMessage
        {
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appFolder },
        }, timeout)).FunctionMetadataResponse;
        Ensure(metadata.Result, "FunctionsMetadataRequest");
        if (metadata.UseDefaultMetadataIndexing)
        {
            throw new InvalidOperationException("The worker asked the host to index its functions itself; the published worker.config.json says workerIndexing, so the emulator expects the worker's own metadata.");
        }

        var loaded = new List<LoadedFunction>();
        foreach (var indexed in metadata.FunctionMetadataResults)
        {
            var (load, function) = LoadedFunction.FromIndexed(indexed);
            var answer = (await _channel.RequestAsync(new StreamingMessage
            {
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.Id, Metadata = load },
            }, timeout)).FunctionLoadResponse;
            Ensure(answer.Result, $"FunctionLoadRequest for {function.Name}");
            loaded.Add(function);
        }

        Functions = loaded;
        await WaitUntilListeningAsync(new Uri(httpUri), timeout);
        await StartFrontAsync(new Uri(httpUri), appSettings.TryGetValue("AzureWebJobsDisableHomepage", out var disabled) && disabled == "true");
    }

    private async Task StartFrontAsync(Uri workerHttp, bool homepageDisabled)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Loopback only; clients may still connect from other 127.0.0.x source addresses (CreateClient).
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        _proxy = new HttpTriggerProxy(Functions, _channel, app.Services.GetRequiredService<IHttpForwarder>(), workerHttp, homepageDisabled, FunctionKey);
        app.Run(_proxy.HandleAsync);
        await app.StartAsync();
        _front = app;
        FrontEnd = new Uri(app.Urls.First());
    }

    /// <summary>
    /// The worker starts its gRPC client before its Kestrel, so it can be initialised and loaded before its HttpUri
    /// accepts connections: the front opens only once it does.
    /// </summary>
    private static async Task WaitUntilListeningAsync(Uri workerHttp, TimeSpan timeout)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(workerHttp.Host, workerHttp.Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"The worker's HttpUri {workerHttp} accepted no connection within {timeout.TotalSeconds:0} s.");
    }

    private static void Ensure(StatusResult result, string step)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"The worker failed {step}: {result.Result} {result.Exception?.Message}\n{result.Exception?.StackTrace}");
        }
    }
}
