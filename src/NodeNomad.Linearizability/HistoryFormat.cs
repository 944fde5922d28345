namespace NodeNomad.Linearizability;

/// <summary>The history formats <see cref="HistoryFile"/> recognises, and the model each is checked against.</summary>
public enum HistoryFormat
{
    /// <summary>Jepsen EDN key-value events with get / put / append, as in Porcupine's tests: <see cref="AppendKvHistory"/>, <see cref="AppendKvModel"/>.</summary>
    AppendKvEdn,

    /// <summary>NodeNomad's own histories, starting with <see cref="NodeNomadKvHistory.Header"/>: <see cref="NodeNomadKvHistory"/>, <see cref="NodeNomadKvModel"/>.</summary>
    NodeNomadKvEdn,

    /// <summary>The register log of Jepsen's etcd test: <see cref="EtcdRegisterLog"/>, <see cref="RegisterModel"/>.</summary>
    EtcdRegisterLog,
}
