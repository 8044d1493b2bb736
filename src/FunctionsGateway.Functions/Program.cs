using FunctionsGateway;
using FunctionsGateway.Functions;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.TrustOnlyTheFunctionsHost();
builder.Services.AddGateway(builder.Configuration);
builder.Services.AddGatewayTelemetry(builder.Configuration);
builder.Build().Run();
