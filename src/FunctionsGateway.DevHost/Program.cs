using FunctionsGateway.DevHost;

return await GatewayDevHost.RunAsync(args);
