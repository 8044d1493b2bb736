namespace FunctionsGateway.Core.Tests.Authentication;

/// <summary>
/// Keys shared by all tests: RSA generation takes about a second on a small machine, so each
/// key is made once per test run. Tests never mutate them; each test's provider publishes the
/// ones it needs.
/// </summary>
internal static class TestKeys
{
    private static readonly Lazy<TestSigningKey> Rsa1Key = new(() => TestSigningKey.Rsa("rsa-1"));
    private static readonly Lazy<TestSigningKey> Rsa2Key = new(() => TestSigningKey.Rsa("rsa-2"));
    private static readonly Lazy<TestSigningKey> AttackerKey = new(() => TestSigningKey.Rsa("attacker-1"));
    private static readonly Lazy<TestSigningKey> UnpublishedKey = new(() => TestSigningKey.Rsa("not-published"));
    private static readonly Lazy<TestSigningKey> Ec1Key = new(() => TestSigningKey.Ec("ec-1"));
    private static readonly Lazy<TestSigningKey> Ec2Key = new(() => TestSigningKey.Ec("ec-2"));

    public static TestSigningKey Rsa1 => Rsa1Key.Value;

    /// <summary>The key an issuer rolls over to.</summary>
    public static TestSigningKey Rsa2 => Rsa2Key.Value;

    /// <summary>A key no trusted issuer publishes.</summary>
    public static TestSigningKey Attacker => AttackerKey.Value;

    /// <summary>Another key no trusted issuer publishes, for unknown-kid tests.</summary>
    public static TestSigningKey Unpublished => UnpublishedKey.Value;

    public static TestSigningKey Ec1 => Ec1Key.Value;

    public static TestSigningKey Ec2 => Ec2Key.Value;
}
