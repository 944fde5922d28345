namespace NodeNomad.Node.Transport;

/// <summary>Marks a connection accepted on the peer listener (see <see cref="PeerListener.ListenPeerPort"/>).</summary>
internal sealed class PeerConnectionFeature
{
    public static PeerConnectionFeature Instance { get; } = new();
}
