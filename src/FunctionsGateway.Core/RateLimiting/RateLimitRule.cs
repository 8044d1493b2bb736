namespace FunctionsGateway.RateLimiting;

/// <summary>One limit of a policy: at most <paramref name="Permits"/> requests per <paramref name="Window"/>.</summary>
/// <param name="Permits">Requests admitted per window, at least 1.</param>
/// <param name="Window">The window's length, from one second to one day.</param>
/// <param name="Text">The limit as written in the row, such as <c>100/1m</c>: its name in the headers.</param>
internal sealed record RateLimitRule(int Permits, TimeSpan Window, string Text)
{
    /// <summary>The window in whole seconds, as the <c>w</c> parameter of <c>RateLimit-Policy</c>.</summary>
    public long WindowSeconds => (long)Window.TotalSeconds;

    /// <summary>The limit as written in the row; setting it (<c>with</c>) remakes <see cref="StatePrefix"/>.</summary>
    public string Text
    {
        get;
        init
        {
            field = value;
            StatePrefix = StatePrefixOf(value);
        }
    }

    = Text;

    /// <summary>The start of this limit's item in the <c>RateLimit</c> header, <c>"100/1m";r=</c>, made once per rule.</summary>
    public string StatePrefix { get; private init; } = StatePrefixOf(Text);

    private static string StatePrefixOf(string text) => $"\"{text}\";r=";
}
