using NodeNomad.Raft;

namespace NodeNomad.Storage.Tests.Marten.Snapshots;

/// <summary>Assertions on a snapshot's bytes that read them as streams, never as one array.</summary>
internal static class SnapshotBytes
{
    /// <summary>Asserts that <paramref name="actual"/> holds the bytes of <paramref name="expected"/>, naming the first that differs.</summary>
    public static async Task ShouldBeSameBytesAsync(this SnapshotData actual, SnapshotData expected)
    {
        actual.Length.ShouldBe(expected.Length, "the snapshot's length changed");
        await using Stream left = actual.OpenRead();
        await using Stream right = expected.OpenRead();
        byte[] a = new byte[1 << 16];
        byte[] b = new byte[1 << 16];
        long offset = 0;
        while (true)
        {
            int read = await left.ReadAtLeastAsync(a, a.Length, throwOnEndOfStream: false);
            int other = await right.ReadAtLeastAsync(b.AsMemory(0, read), read, throwOnEndOfStream: false);
            other.ShouldBe(read, $"the snapshots' streams end apart, at {offset + Math.Min(read, other)}");
            int differs = a.AsSpan(0, read).CommonPrefixLength(b.AsSpan(0, read));
            differs.ShouldBe(read, $"the byte at {offset + differs} differs");
            if (read == 0)
            {
                return;
            }

            offset += read;
        }
    }
}
