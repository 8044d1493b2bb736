namespace FunctionsGateway.DevHost.Commands;

/// <summary>A <c>routes</c> command line: the verb, the file, and <c>--yes</c> for apply.</summary>
internal sealed record RoutesCommandLine(string Verb, string? File, bool Yes)
{
    private static readonly string[] Verbs = ["export", "validate", "diff", "apply"];

    /// <summary>Parses the words after <c>routes</c>; the problem says what to write instead.</summary>
    public static bool TryParse(string[] words, out RoutesCommandLine line, out string problem)
    {
        line = new RoutesCommandLine(string.Empty, null, Yes: false);
        problem = string.Empty;
        if (words.Length == 0 || !Verbs.Contains(words[0].ToLowerInvariant()))
        {
            problem = words.Length == 0 ? "routes needs a command" : $"'{words[0]}' is not a routes command; use export, validate, diff or apply";
            return false;
        }

        var verb = words[0].ToLowerInvariant();
        string? file = null;
        var yes = false;
        for (var i = 1; i < words.Length; i++)
        {
            var word = words[i];
            if (verb == "export" && word == "--file")
            {
                if (i + 1 >= words.Length || words[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    problem = "--file needs a value: the file to write";
                    return false;
                }

                file = words[++i];
            }
            else if (verb == "apply" && word == "--yes")
            {
                yes = true;
            }
            else if (verb != "export" && file is null && !word.StartsWith("--", StringComparison.Ordinal))
            {
                file = word;
            }
            else
            {
                problem = $"'{word}' is not an argument of routes {verb}";
                return false;
            }
        }

        if (verb != "export" && file is null)
        {
            problem = $"routes {verb} needs a FILE: the route-set file to {(verb == "validate" ? "check" : "compare with the tables")}";
            return false;
        }

        line = new RoutesCommandLine(verb, file, yes);
        return true;
    }
}
