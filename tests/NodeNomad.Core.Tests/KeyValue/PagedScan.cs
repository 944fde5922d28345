using NodeNomad.Core.KeyValue;

namespace NodeNomad.Core.Tests.KeyValue;

/// <summary>Reads a prefix to its end the way a client does: page after page, each one after the last page's NextAfter.</summary>
internal static class PagedScan
{
    public static List<KvPage> ReadAll(KvStateMachine machine, string prefix, int limit, long now)
    {
        var pages = new List<KvPage>();
        string? after = null;
        do
        {
            var page = machine.Scan(prefix, after, limit, now);
            pages.Add(page);
            after = page.NextAfter;
        }
        while (after is not null);

        return pages;
    }
}
