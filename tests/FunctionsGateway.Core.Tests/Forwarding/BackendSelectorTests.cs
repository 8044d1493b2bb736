using FunctionsGateway.Configuration;
using FunctionsGateway.Forwarding;
using FunctionsGateway.Routing;

namespace FunctionsGateway.Core.Tests.Forwarding;

/// <summary>
/// Which backend of a pool gets a request: only the best (lowest) Priority tier that has a backend able to
/// take traffic, and within it a share proportional to Weight. The roll stands in for the random number.
/// </summary>
public sealed class BackendSelectorTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.89)]
    public void Select_Weights9And1_RollsBelowNinetyPercentPickTheFirst(double roll)
    {
        var pool = Pool(Backend("heavy", weight: 9), Backend("light", weight: 1));

        var chosen = BackendSelector.Select(pool, roll);

        Assert.Equal("heavy", chosen?.Id.RowKey);
    }

    [Theory]
    [InlineData(0.9)]
    [InlineData(0.95)]
    [InlineData(0.99)]
    public void Select_Weights9And1_RollsFromNinetyPercentPickTheSecond(double roll)
    {
        var pool = Pool(Backend("heavy", weight: 9), Backend("light", weight: 1));

        var chosen = BackendSelector.Select(pool, roll);

        Assert.Equal("light", chosen?.Id.RowKey);
    }

    [Fact]
    public void Select_EqualWeights_SplitsTheRollEvenly()
    {
        var pool = Pool(Backend("a"), Backend("b"), Backend("c"), Backend("d"));

        var chosen = SelectEach(pool, 0.0, 0.24, 0.25, 0.49, 0.5, 0.74, 0.75, 0.999);

        Assert.Equal(["a", "a", "b", "b", "c", "c", "d", "d"], chosen);
    }

    [Fact]
    public void Select_LowerPriorityTierWithABackend_IsUsedAndBackupsAreNot()
    {
        var pool = Pool(Backend("backup", priority: 1, weight: 1000), Backend("primary", priority: 0, weight: 1));

        var chosen = SelectEach(pool, 0.0, 0.5, 0.999);

        Assert.All(chosen, id => Assert.Equal("primary", id));
    }

    [Fact]
    public void Select_LowerTierAllDisabled_UsesTheBackups()
    {
        var pool = Pool(Backend("primary", priority: 0, enabled: false), Backend("backup", priority: 5));

        var chosen = BackendSelector.Select(pool, 0.0);

        Assert.Equal("backup", chosen?.Id.RowKey);
    }

    [Fact]
    public void Select_LowerTierAllDrained_UsesTheBackups()
    {
        var pool = Pool(Backend("primary-1", priority: 0, weight: 0), Backend("primary-2", priority: 0, weight: 0), Backend("backup", priority: 1));

        var chosen = BackendSelector.Select(pool, 0.0);

        Assert.Equal("backup", chosen?.Id.RowKey);
    }

    [Fact]
    public void Select_BackupTier_IsWeightedWithinItself()
    {
        var pool = Pool(
            Backend("primary", priority: 0, enabled: false),
            Backend("backup-a", priority: 1, weight: 1),
            Backend("backup-b", priority: 1, weight: 3),
            Backend("last-resort", priority: 2, weight: 100));

        var chosen = SelectEach(pool, 0.0, 0.24, 0.25, 0.99);

        Assert.Equal(["backup-a", "backup-a", "backup-b", "backup-b"], chosen);
    }

    [Fact]
    public void Select_DisabledBackend_NeverGetsTraffic()
    {
        var pool = Pool(Backend("off", weight: 1000, enabled: false), Backend("on", weight: 1));

        var chosen = SelectEach(pool, 0.0, 0.5, 0.999);

        Assert.All(chosen, id => Assert.Equal("on", id));
    }

    [Fact]
    public void Select_DrainedBackend_NeverGetsTraffic()
    {
        var pool = Pool(Backend("drained", weight: 0), Backend("live", weight: 1));

        var chosen = SelectEach(pool, 0.0, 0.5, 0.999);

        Assert.All(chosen, id => Assert.Equal("live", id));
    }

    [Fact]
    public void Select_EmptyPool_ReturnsNull()
    {
        var pool = Pool();

        var chosen = BackendSelector.Select(pool, 0.5);

        Assert.Null(chosen);
    }

    [Fact]
    public void Select_NoBackendCanTakeTraffic_ReturnsNull()
    {
        var pool = Pool(Backend("drained", weight: 0), Backend("off", enabled: false), Backend("backup-off", priority: 1, enabled: false));

        var chosen = BackendSelector.Select(pool, 0.5);

        Assert.Null(chosen);
    }

    private static string[] SelectEach(PoolDefinition pool, params double[] rolls) =>
        [.. rolls.Select(roll => BackendSelector.Select(pool, roll)?.Id.RowKey ?? "(none)")];

    private static PoolDefinition Pool(params BackendDefinition[] backends) => new("orders", [.. backends]);

    private static BackendDefinition Backend(string id, int weight = 1, int priority = 0, bool enabled = true) => new()
    {
        Id = new RowId("Backends", "orders", id),
        Url = new Uri($"https://{id}.internal"),
        Weight = weight,
        Priority = priority,
        Enabled = enabled,
    };
}
