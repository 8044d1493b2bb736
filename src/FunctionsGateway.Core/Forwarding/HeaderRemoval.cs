using System.Net.Http.Headers;

namespace FunctionsGateway.Forwarding;

/// <summary>Removes the headers whose names match a rule, in one pass over the headers a request has.</summary>
internal static class HeaderRemoval
{
    /// <summary>
    /// Removes every header of <paramref name="headers"/> whose name <paramref name="matches"/> (given
    /// <paramref name="state"/>); allocates nothing when none does, which is almost every request.
    /// </summary>
    public static void RemoveWhere<TState>(HttpHeaders headers, TState state, Func<string, TState, bool> matches)
    {
        List<string>? names = null;
        foreach (var header in headers.NonValidated)
        {
            if (matches(header.Key, state))
            {
                (names ??= []).Add(header.Key);
            }
        }

        if (names is not null)
        {
            foreach (var name in names)
            {
                headers.Remove(name);
            }
        }
    }
}
