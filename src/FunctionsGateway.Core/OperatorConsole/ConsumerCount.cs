namespace FunctionsGateway.OperatorConsole;

/// <summary>One of a route's busiest callers as the console shows it.</summary>
/// <param name="Name">The consumer id, or the client address of anonymous callers.</param>
/// <param name="IsAddress">True when <paramref name="Name"/> is a client address.</param>
/// <param name="Requests">Its requests in the window (at most an undercount).</param>
/// <param name="Limited">Of those, the ones refused by the route's rate limit.</param>
internal sealed record ConsumerCount(string Name, bool IsAddress, long Requests, long Limited);
