using FunctionsGateway;
using FunctionsGateway.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.TrustOnlyTheFunctionsHost();
builder.Services.AddGateway(builder.Configuration);
builder.Services.AddGatewayTelemetry(builder.Configuration);

try
{
    builder.Build().Run();
    return 0;
}
catch (OptionsValidationException ex)
{
    // A wrong or missing app setting: the Functions host shows the worker's stderr in its log and restarts it, so
    // one message naming each setting serves the operator; an unhandled exception would abort the process with a
    // stack trace (exit code 134) around the same text.
    await Console.Error.WriteLineAsync(InvalidSettingsText.Describe(ex));
    return 1;
}
