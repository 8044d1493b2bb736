using Microsoft.IdentityModel.Protocols;

namespace FunctionsGateway.Core.Tests.Authentication;

/// <summary>
/// Reads documents through a real retriever, and on request holds the next JWKS it has read until released: a
/// fetch that read the keys before the issuer published a new one and has not finished yet.
/// </summary>
internal sealed class GatedDocumentRetriever(IDocumentRetriever inner) : IDocumentRetriever
{
    private TaskCompletionSource? _read;
    private TaskCompletionSource? _release;

    /// <summary>Completes once the held JWKS has been read.</summary>
    public Task JwksRead => _read?.Task ?? Task.CompletedTask;

    /// <summary>Holds the next JWKS read until <see cref="Release"/>.</summary>
    public void HoldJwksAfterReading()
    {
        _read = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release() => _release?.TrySetResult();

    public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        var document = await inner.GetDocumentAsync(address, cancel);
        if (address.EndsWith("/jwks", StringComparison.Ordinal) && _release is { } release && _read is { } read && !read.Task.IsCompleted)
        {
            read.TrySetResult();
            await release.Task;
        }

        return document;
    }
}
