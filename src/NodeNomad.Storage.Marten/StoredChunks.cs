namespace NodeNomad.Storage.Marten;

/// <summary>What <see cref="SnapshotChunks"/> wrote of a snapshot: its rows, its length and the SHA-256 of its bytes.</summary>
internal readonly record struct StoredChunks(int Chunks, long Length, string Sha256);
