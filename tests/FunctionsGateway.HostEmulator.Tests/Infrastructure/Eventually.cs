using System.Diagnostics;

namespace FunctionsGateway.HostEmulator.Tests.Infrastructure;

/// <summary>Polls for something another process does on its own time (a log arriving, a row written), with a deadline.</summary>
public static class Eventually
{
    public static async Task<T> FindAsync<T>(Func<Task<T?>> find, string what, TimeSpan? within = null)
        where T : class
    {
        var limit = within ?? TimeSpan.FromSeconds(15);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if (await find() is { } found)
            {
                return found;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"Not seen within {limit.TotalSeconds:0} s: {what}");
    }

    public static Task<T> FindAsync<T>(Func<T?> find, string what, TimeSpan? within = null)
        where T : class =>
        FindAsync(() => Task.FromResult(find()), what, within);
}
