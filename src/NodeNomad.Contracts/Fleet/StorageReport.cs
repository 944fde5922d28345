namespace NodeNomad.Contracts.Fleet;

/// <summary>A node's storage, as part of a <see cref="NodeStatusReport"/>.</summary>
/// <param name="Keys">Keys held over all its replicas.</param>
/// <param name="Bytes">Bytes of keys and values held over all its replicas.</param>
/// <param name="LogBytes">Bytes of log segments and snapshots.</param>
/// <param name="LogSegments">Log segments on disk.</param>
/// <param name="LastSyncMilliseconds">How long the last fsync (or commit) of a batch took.</param>
public sealed record StorageReport(long Keys, long Bytes, long LogBytes, int LogSegments, double LastSyncMilliseconds);
