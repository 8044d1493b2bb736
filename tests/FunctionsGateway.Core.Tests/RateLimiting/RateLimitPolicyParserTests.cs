using Azure.Data.Tables;
using FunctionsGateway.Configuration;
using FunctionsGateway.RateLimiting;

namespace FunctionsGateway.Core.Tests.RateLimiting;

/// <summary>The rate limit columns of a route row, read into a policy, with an exact row error for every bad value.</summary>
public sealed class RateLimitPolicyParserTests
{
    [Fact]
    public void Parse_NoRateLimitColumns_NoPolicyAndNoProblem()
    {
        var (policy, problems) = Parse();

        Assert.Null(policy);
        Assert.Empty(problems);
    }

    [Fact]
    public void Parse_OneLimit_DefaultsAreConsumerLeasedOpen()
    {
        var (policy, problems) = Parse(("RateLimit", "100/1m"));

        Assert.Empty(problems);
        var rule = Assert.Single(policy!.Rules);
        Assert.Equal(100, rule.Permits);
        Assert.Equal(TimeSpan.FromMinutes(1), rule.Window);
        Assert.Equal("100/1m", rule.Text);
        Assert.Equal(RateLimitKeySource.Consumer, policy.KeySource);
        Assert.Equal(RateLimitMode.Leased, policy.Mode);
        Assert.Equal(RateLimitFailureMode.Open, policy.Failure);
    }

    [Theory]
    [InlineData("10/1s", 10, 1)]
    [InlineData("5/30s", 5, 30)]
    [InlineData("100/1m", 100, 60)]
    [InlineData("1000/1h", 1000, 3600)]
    [InlineData("10000/1d", 10000, 86400)]
    [InlineData(" 7 / 2m ", 7, 120)]
    public void Parse_EachPeriodUnit_IsItsWindow(string text, int permits, int seconds)
    {
        var (policy, problems) = Parse(("RateLimit", text));

        Assert.Empty(problems);
        var rule = Assert.Single(policy!.Rules);
        Assert.Equal(permits, rule.Permits);
        Assert.Equal(seconds, rule.WindowSeconds);
    }

    [Fact]
    public void Parse_SeveralLimits_AllKeptShortestWindowFirst()
    {
        var (policy, problems) = Parse(("RateLimit", "1000/1h, 10/1s"));

        Assert.Empty(problems);
        Assert.Equal(["10/1s", "1000/1h"], policy!.Rules.Select(r => r.Text));
    }

    [Theory]
    [InlineData("100", "'100' is not COUNT/PERIOD; write a limit such as 100/1m (100 requests a minute)")]
    [InlineData("0/1m", "'0' in '0/1m' is not a request count; write a whole number from 1 to 100000000, as in 100/1m")]
    [InlineData("-5/1m", "'-5' in '-5/1m' is not a request count; write a whole number from 1 to 100000000, as in 100/1m")]
    [InlineData("ten/1m", "'ten' in 'ten/1m' is not a request count; write a whole number from 1 to 100000000, as in 100/1m")]
    [InlineData("100000001/1d", "'100000001' in '100000001/1d' is not a request count; write a whole number from 1 to 100000000, as in 100/1m")]
    [InlineData("100/m", "'m' in '100/m' is not a period; write a number and a unit s, m, h or d (1s, 30s, 1m, 1h, 1d)")]
    [InlineData("100/1w", "'1w' in '100/1w' is not a period; write a number and a unit s, m, h or d (1s, 30s, 1m, 1h, 1d)")]
    [InlineData("100/0s", "'0s' in '100/0s' is not a period; write a number and a unit s, m, h or d (1s, 30s, 1m, 1h, 1d)")]
    [InlineData("100/1M", "'1M' in '100/1M' is not a period; write a number and a unit s, m, h or d (1s, 30s, 1m, 1h, 1d)")]
    [InlineData("100/2d", "'2d' in '100/2d' is longer than a day; write a period from 1s to 1d, such as 1d for a daily quota")]
    [InlineData("100/1m,,10/1s", "'100/1m,,10/1s' has an empty entry; list limits separated by single commas, such as 100/1m")]
    [InlineData("100/1m,200/60s", "'100/1m' and '200/60s' limit the same period; keep one")]
    public void Parse_BadLimit_ReportsTheColumnAndWhatToWrite(string text, string message)
    {
        var (policy, problems) = Parse(("RateLimit", text));

        Assert.Null(policy);
        var problem = Assert.Single(problems);
        Assert.Equal("RateLimit", problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal(message, problem.Message);
    }

    [Fact]
    public void Parse_LimitStoredAsNumber_ReportsToStoreAString()
    {
        var (policy, problems) = Parse(("RateLimit", 100));

        Assert.Null(policy);
        Assert.Equal("is stored as 100 (Int32); store it as a String", Assert.Single(problems).Message);
    }

    [Theory]
    [InlineData("consumer", RateLimitKeyKind.Consumer, null)]
    [InlineData("ip", RateLimitKeyKind.Ip, null)]
    [InlineData("IP", RateLimitKeyKind.Ip, null)]
    [InlineData("route", RateLimitKeyKind.Route, null)]
    [InlineData("header:X-Tenant", RateLimitKeyKind.Header, "X-Tenant")]
    [InlineData("claim:tid", RateLimitKeyKind.Claim, "tid")]
    [InlineData("claim: http://schemas.example/tenant", RateLimitKeyKind.Claim, "http://schemas.example/tenant")]
    public void Parse_RateLimitBy_IsTheKeySource(string text, RateLimitKeyKind kind, string? name)
    {
        var (policy, problems) = Parse(("RateLimit", "100/1m"), ("RateLimitBy", text));

        Assert.Empty(problems);
        Assert.Equal(new RateLimitKeySource(kind, name), policy!.KeySource);
    }

    [Theory]
    [InlineData("user", "'user' is not a key; write consumer, ip, route, header:NAME or claim:NAME")]
    [InlineData("ip:x", "'ip:x': ip takes no name; write ip")]
    [InlineData("header:", "'header:' does not name a header; write header:NAME with a header name such as header:X-Tenant")]
    [InlineData("header", "'header' does not name a header; write header:NAME with a header name such as header:X-Tenant")]
    [InlineData("header:X Tenant", "'header:X Tenant' does not name a header; write header:NAME with a header name such as header:X-Tenant")]
    [InlineData("claim:", "'claim:' does not name a claim; write claim:NAME with a claim name such as claim:tid")]
    [InlineData("claim:a b", "'claim:a b' does not name a claim; write claim:NAME with a claim name such as claim:tid")]
    public void Parse_BadRateLimitBy_ReportsWhatToWrite(string text, string message)
    {
        var (policy, problems) = Parse(("RateLimit", "100/1m"), ("RateLimitBy", text));

        Assert.Null(policy);
        var problem = Assert.Single(problems);
        Assert.Equal("RateLimitBy", problem.Column);
        Assert.Equal(message, problem.Message);
    }

    [Theory]
    [InlineData("leased", RateLimitMode.Leased)]
    [InlineData("exact", RateLimitMode.Exact)]
    [InlineData("Local", RateLimitMode.Local)]
    public void Parse_RateLimitMode_IsTheMode(string text, RateLimitMode mode)
    {
        var (policy, problems) = Parse(("RateLimit", "100/1m"), ("RateLimitMode", text));

        Assert.Empty(problems);
        Assert.Equal(mode, policy!.Mode);
    }

    [Fact]
    public void Parse_BadRateLimitMode_ReportsTheChoices()
    {
        var (policy, problems) = Parse(("RateLimit", "100/1m"), ("RateLimitMode", "redis"));

        Assert.Null(policy);
        var problem = Assert.Single(problems);
        Assert.Equal("RateLimitMode", problem.Column);
        Assert.Equal("'redis' is not a choice; write leased, exact or local", problem.Message);
    }

    [Theory]
    [InlineData("open", RateLimitFailureMode.Open)]
    [InlineData("closed", RateLimitFailureMode.Closed)]
    public void Parse_RateLimitFailure_IsTheFailureMode(string text, RateLimitFailureMode failure)
    {
        var (policy, problems) = Parse(("RateLimit", "100/1m"), ("RateLimitFailure", text));

        Assert.Empty(problems);
        Assert.Equal(failure, policy!.Failure);
    }

    [Fact]
    public void Parse_BadRateLimitFailure_ReportsTheChoices()
    {
        var (policy, problems) = Parse(("RateLimit", "100/1m"), ("RateLimitFailure", "deny"));

        Assert.Null(policy);
        var problem = Assert.Single(problems);
        Assert.Equal("RateLimitFailure", problem.Column);
        Assert.Equal("'deny' is not a choice; write open or closed", problem.Message);
    }

    [Fact]
    public void Parse_FailureWithLocalMode_WarnsItHasNoEffect()
    {
        var (policy, problems) = Parse(("RateLimit", "100/1m"), ("RateLimitMode", "local"), ("RateLimitFailure", "closed"));

        Assert.NotNull(policy);
        var problem = Assert.Single(problems);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.Equal("RateLimitFailure", problem.Column);
        Assert.Equal("has no effect with RateLimitMode local, which uses no storage; remove it", problem.Message);
    }

    [Theory]
    [InlineData("RateLimitBy", "ip")]
    [InlineData("RateLimitMode", "exact")]
    [InlineData("RateLimitFailure", "closed")]
    public void Parse_OtherColumnWithoutRateLimit_ReportsToAddALimit(string column, string value)
    {
        var (policy, problems) = Parse((column, value));

        Assert.Null(policy);
        var problem = Assert.Single(problems);
        Assert.Equal(column, problem.Column);
        Assert.Equal($"has no effect without a limit; add a RateLimit column such as 100/1m, or remove {column}", problem.Message);
    }

    [Fact]
    public void Parse_PlansWithoutRateLimit_ReportsToAddTheLimitOfCallersWithoutAListedPlan()
    {
        var (policy, problems) = Parse(("RateLimitPlans", "gold: 1000/1m"));

        Assert.Null(policy);
        var problem = Assert.Single(problems);
        Assert.Equal("RateLimitPlans", problem.Column);
        Assert.Equal(
            "needs a RateLimit column too, the limit of callers whose plan is not listed and of anonymous callers; add RateLimit such as 100/1m (or a large one such as 1000000/1d to leave them nearly unlimited), or remove RateLimitPlans",
            problem.Message);
    }

    [Fact]
    public void Parse_Plans_EachPlanHasItsLimitsShortestWindowFirst_NoneIsUnlimited()
    {
        var (policy, problems) = Parse(("RateLimit", "10/1m"), ("RateLimitPlans", "gold: 100000/1d, 1000/1m; free: 10/1m; internal: NONE"));

        Assert.Empty(problems);
        Assert.Equal(["10/1m"], policy!.Rules.Select(r => r.Text));
        Assert.Equal(["gold", "free", "internal"], policy.Plans.Select(p => p.Name));
        Assert.Equal(["1000/1m", "100000/1d"], policy.Plans[0].Rules.Select(r => r.Text));
        Assert.Equal(["10/1m"], policy.Plans[1].Rules.Select(r => r.Text));
        Assert.True(policy.Plans[2].IsUnlimited);
    }

    [Fact]
    public void Parse_NoPlansColumn_PolicyHasNoPlans()
    {
        var (policy, _) = Parse(("RateLimit", "10/1m"));

        Assert.Empty(policy!.Plans);
    }

    [Theory]
    [InlineData("gold 1000/1m", "'gold 1000/1m' is not NAME: LIMITS; write a plan name, a colon and its limits or none, such as gold: 1000/1m, 100000/1d; free: 10/1m; internal: none")]
    [InlineData("gold: 1000/1m;; free: 10/1m", "'gold: 1000/1m;; free: 10/1m' has an empty entry; separate plans with single ';', such as gold: 1000/1m, 100000/1d; free: 10/1m; internal: none")]
    [InlineData("gold: 1000/1m;", "'gold: 1000/1m;' has an empty entry; separate plans with single ';', such as gold: 1000/1m, 100000/1d; free: 10/1m; internal: none")]
    [InlineData(": 1000/1m", "': 1000/1m' has no plan name before ':'; write NAME: LIMITS, such as gold: 1000/1m")]
    [InlineData("gold plan: 1000/1m", "'gold plan' is not a plan name; use 1 to 64 letters, digits, '-', '_' or '.', such as gold")]
    [InlineData("göld: 1000/1m", "'göld' is not a plan name; use 1 to 64 letters, digits, '-', '_' or '.', such as gold")]
    [InlineData("gold: 1000/1m; GOLD: 10/1m", "plan 'GOLD' is listed twice (plan names are compared ignoring case); keep one entry for it")]
    [InlineData("gold:", "plan 'gold' has no limits after ':'; write limits as in RateLimit, such as gold: 1000/1m, or gold: none for no limit")]
    [InlineData("gold: 1000/1w", "plan 'gold': '1w' in '1000/1w' is not a period; write a number and a unit s, m, h or d (1s, 30s, 1m, 1h, 1d)")]
    [InlineData("gold: lots", "plan 'gold': 'lots' is not COUNT/PERIOD; write a limit such as 100/1m (100 requests a minute)")]
    [InlineData("gold: 0/1m", "plan 'gold': '0' in '0/1m' is not a request count; write a whole number from 1 to 100000000, as in 100/1m")]
    [InlineData("gold: 100/2d", "plan 'gold': '2d' in '100/2d' is longer than a day; write a period from 1s to 1d, such as 1d for a daily quota")]
    [InlineData("gold: 1000/1m,,10/1s", "plan 'gold': '1000/1m,,10/1s' has an empty entry; list limits separated by single commas, such as 1000/1m,100000/1d")]
    [InlineData("gold: 1000/1m, 2000/60s", "plan 'gold': '1000/1m' and '2000/60s' limit the same period; keep one")]
    [InlineData("gold: none, 10/1m", "plan 'gold': 'none' is not COUNT/PERIOD; write a limit such as 100/1m (100 requests a minute)")]
    public void Parse_BadPlans_ReportsTheColumnAndWhatToWrite(string text, string message)
    {
        var (policy, problems) = Parse(("RateLimit", "10/1m"), ("RateLimitPlans", text));

        Assert.Null(policy);
        var problem = Assert.Single(problems);
        Assert.Equal("RateLimitPlans", problem.Column);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal(message, problem.Message);
    }

    [Fact]
    public void Same_PlansDiffer_NotTheSamePolicy()
    {
        var (gold, _) = Parse(("RateLimit", "10/1m"), ("RateLimitPlans", "gold: 1000/1m"));
        var (goldAgain, _) = Parse(("RateLimit", "10/1m"), ("RateLimitPlans", "gold: 1000/1m"));
        var (more, _) = Parse(("RateLimit", "10/1m"), ("RateLimitPlans", "gold: 2000/1m"));
        var (none, _) = Parse(("RateLimit", "10/1m"));

        Assert.True(RateLimitPolicy.Same(gold, goldAgain));
        Assert.False(RateLimitPolicy.Same(gold, more));
        Assert.False(RateLimitPolicy.Same(gold, none));
    }

    [Fact]
    public void Parse_SeveralBadColumns_ReportsEveryOne()
    {
        var (policy, problems) = Parse(("RateLimit", "x"), ("RateLimitBy", "y"), ("RateLimitMode", "z"), ("RateLimitFailure", "w"), ("RateLimitPlans", "v"));

        Assert.Null(policy);
        Assert.Equal(["RateLimit", "RateLimitBy", "RateLimitMode", "RateLimitFailure", "RateLimitPlans"], problems.Select(p => p.Column));
    }

    private static (RateLimitPolicy? Policy, IReadOnlyList<ConfigProblem> Problems) Parse(params (string Column, object Value)[] columns)
    {
        var entity = new TableEntity("api", "r1");
        foreach (var (column, value) in columns)
        {
            entity[column] = value;
        }

        var row = new RowReader("Routes", entity);
        var policy = RateLimitPolicyParser.Parse(row);
        return (policy, row.Problems);
    }
}
