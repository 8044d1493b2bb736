namespace FunctionsGateway.Infra.Tests;

/// <summary>Tests that share one run of the Bicep CLI over infra/.</summary>
[CollectionDefinition(Name)]
public sealed class BicepCollection : ICollectionFixture<BicepRunsFixture>
{
    public const string Name = "Bicep";
}
