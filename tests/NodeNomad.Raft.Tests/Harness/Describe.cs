using System.Globalization;
using System.Text;
using NodeNomad.Raft;

namespace NodeNomad.Raft.Tests.Harness;

/// <summary>Stable one-line renderings of messages and replica states, for golden scripts and failure messages.</summary>
internal static class Describe
{
    public static string Message(Message m)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{m.From}->{m.To} {m.Type} term={m.Term}");
        switch (m.Type)
        {
            case MessageType.Append:
                sb.Append(CultureInfo.InvariantCulture, $" prev={m.Index}/{m.LogTerm} commit={m.Commit} entries=[{string.Join(", ", m.Entries.Select(Entry))}]");
                break;
            case MessageType.AppendResponse:
                sb.Append(CultureInfo.InvariantCulture, $" index={m.Index}");
                if (m.Reject)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" rejected hint={m.RejectHint}/{m.LogTerm}");
                }

                break;
            case MessageType.Vote or MessageType.PreVote:
                sb.Append(CultureInfo.InvariantCulture, $" last={m.Index}/{m.LogTerm}");
                if (!m.Context.IsEmpty)
                {
                    sb.Append(" transfer");
                }

                break;
            case MessageType.VoteResponse or MessageType.PreVoteResponse:
                sb.Append(m.Reject ? " rejected" : " granted");
                break;
            case MessageType.Heartbeat:
                sb.Append(CultureInfo.InvariantCulture, $" commit={m.Commit}");
                break;
            case MessageType.Snapshot:
                sb.Append(CultureInfo.InvariantCulture, $" snapshot={m.Snapshot!.Metadata.Index}/{m.Snapshot.Metadata.Term} voters={Ids(m.Snapshot.Metadata.ConfState.Voters)} learners={Ids(m.Snapshot.Metadata.ConfState.Learners)}");
                break;
            case MessageType.ReadIndexResponse:
                sb.Append(CultureInfo.InvariantCulture, $" index={m.Index}");
                if (m.Timestamp != 0)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" time={m.Timestamp}");
                }

                break;
            case MessageType.Propose:
                sb.Append(CultureInfo.InvariantCulture, $" entries=[{string.Join(", ", m.Entries.Select(Entry))}]");
                break;
            default:
                break;
        }

        if (!m.Context.IsEmpty && m.Type is not (MessageType.Vote or MessageType.PreVote))
        {
            sb.Append(CultureInfo.InvariantCulture, $" ctx={Encoding.UTF8.GetString(m.Context.Span)}");
        }

        return sb.ToString();
    }

    public static string Entry(Entry e) => e.Type == EntryType.ConfChange
        ? string.Create(CultureInfo.InvariantCulture, $"{e.Index}/{e.Term} conf:{ConfChange(NodeNomad.Raft.ConfChange.Decode(e.Data.Span))}")
        : e.Data.IsEmpty
            ? string.Create(CultureInfo.InvariantCulture, $"{e.Index}/{e.Term}")
            : string.Create(CultureInfo.InvariantCulture, $"{e.Index}/{e.Term} {Encoding.UTF8.GetString(e.Data.Span)}");

    public static string ConfChange(ConfChange c) => c.Type switch
    {
        ConfChangeType.AddVoter => string.Create(CultureInfo.InvariantCulture, $"add-voter {c.NodeId}"),
        ConfChangeType.AddLearner => string.Create(CultureInfo.InvariantCulture, $"add-learner {c.NodeId}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"remove {c.NodeId}"),
    };

    public static string Ids(IEnumerable<ulong> ids) => "(" + string.Join(" ", ids) + ")";

    public static string Role(RaftRole role) => role switch
    {
        RaftRole.Follower => "follower",
        RaftRole.PreCandidate => "pre-candidate",
        RaftRole.Candidate => "candidate",
        _ => "leader",
    };

    public static string Node(TestNode node)
    {
        var s = node.Raft.Status;
        var down = node.Down ? " DOWN" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"n{s.Id} {Role(s.SoftState.Role)} term={s.HardState.Term} vote={s.HardState.Vote} lead={s.SoftState.Leader} commit={s.HardState.Commit} applied={node.AppliedIndex} last={s.LastIndex}{down}");
    }

    public static IEnumerable<string> Status(TestNode node)
    {
        var s = node.Raft.Status;
        yield return Node(node);
        yield return $"  voters={Ids(s.ConfState.Voters)} learners={Ids(s.ConfState.Learners)}"
            + (s.LeadTransferee != 0 ? string.Create(CultureInfo.InvariantCulture, $" transferee={s.LeadTransferee}") : "");
        foreach (var (id, p) in s.Progress)
        {
            var learner = p.IsLearner ? " learner" : "";
            var active = p.RecentActive ? "" : " inactive";
            yield return string.Create(CultureInfo.InvariantCulture, $"  {id}: {p.State} match={p.Match} next={p.Next}{learner}{active}");
        }

        var data = string.Join(" ", node.History.Where(e => e.Type == EntryType.Normal && e.Data.Length > 0).Select(e => e.Data));
        yield return $"  applied-data=[{data}]";
    }
}
