namespace FunctionsGateway.Authentication;

/// <summary>What <see cref="SigningKeySource.FindUnknownKeyAsync"/> found for a <c>kid</c> not among the cached keys.</summary>
internal enum SigningKeyLookup
{
    /// <summary>A fetch made after the <c>kid</c> was first seen has it: the issuer rolled its keys over.</summary>
    Found,

    /// <summary>
    /// The <c>kid</c> is not the issuer's: a fetch made after it was first seen lacks it (it is then remembered),
    /// it was remembered from such a fetch, or the fetch failed.
    /// </summary>
    Unknown,

    /// <summary>Too many requests already wait for the issuer's next fetch; the token was not checked.</summary>
    Busy,
}
