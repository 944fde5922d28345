using System.Runtime.CompilerServices;
using NodeNomad.Contracts;

namespace NodeNomad.Client;

/// <summary>Walks the key listing page after page, for both clients.</summary>
internal static class KeyScan
{
    /// <summary>Every key <paramref name="listPage"/> gives, following cursors until there is no next page.</summary>
    public static async IAsyncEnumerable<KeySummary> AllAsync(
        Func<string?, CancellationToken, Task<KeyPage>> listPage,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        do
        {
            var page = await listPage(after, cancellationToken);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            // A cursor that does not move would make this loop forever.
            if (page.NextCursor is not null && page.NextCursor == after)
            {
                throw new InvalidOperationException($"The node answered the cursor '{after}' with the same cursor; the scan cannot go on.");
            }

            after = page.NextCursor;
        }
        while (after is not null);
    }
}
