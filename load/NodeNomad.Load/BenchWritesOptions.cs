using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NodeNomad.Load;

/// <summary>The options of <c>bench-writes</c>.</summary>
internal sealed record BenchWritesOptions(Uri? Url, int Seconds, IReadOnlyList<int> Clients, int ValueBytes, long MaxRequests, bool Etcd)
{
    private const int MaxClients = 4096;
    private const int MaxValueBytes = 1024 * 1024;

    private static readonly Dictionary<string, string> Expected = new()
    {
        ["--url"] = "an http URL on 127.0.0.1",
        ["--seconds"] = "1..3600",
        ["--clients"] = $"a list like 1,64, each 1..{MaxClients}",
        ["--value-bytes"] = $"1..{MaxValueBytes}",
        ["--max-requests"] = "a positive whole number",
    };

    public static bool TryParse(IReadOnlyList<string> args, [NotNullWhen(true)] out BenchWritesOptions? options, [NotNullWhen(false)] out string? error)
    {
        var parsed = new BenchWritesOptions(Url: null, Seconds: 10, Clients: [1, 64], ValueBytes: 100, MaxRequests: 1_000_000, Etcd: false);
        error = null;
        for (var i = 0; i < args.Count && error is null; i++)
        {
            var name = args[i];
            if (name == "--etcd")
            {
                parsed = parsed with { Etcd = true };
                continue;
            }

            if (!Expected.TryGetValue(name, out var expected))
            {
                error = $"{name}: unknown option.";
                break;
            }

            if (i + 1 == args.Count)
            {
                error = $"{name}: the value is missing; expected {expected}.";
                break;
            }

            var value = args[++i];
            switch (name)
            {
                case "--url" when Loopback(value, out var url):
                    parsed = parsed with { Url = url };
                    break;
                case "--seconds" when Whole(value, 1, 3600, out var seconds):
                    parsed = parsed with { Seconds = (int)seconds };
                    break;
                case "--clients" when ClientList(value, out var clients):
                    parsed = parsed with { Clients = clients };
                    break;
                case "--value-bytes" when Whole(value, 1, MaxValueBytes, out var bytes):
                    parsed = parsed with { ValueBytes = (int)bytes };
                    break;
                case "--max-requests" when Whole(value, 1, long.MaxValue, out var max):
                    parsed = parsed with { MaxRequests = max };
                    break;
                default:
                    error = $"{name} '{value}': expected {expected}.";
                    break;
            }
        }

        options = error is null ? parsed : null;
        return error is null;
    }

    private static bool Whole(string text, long min, long max, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool ClientList(string text, out int[] clients)
    {
        clients = [.. text.Split(',', StringSplitOptions.TrimEntries).Select(part => Whole(part, 1, MaxClients, out var count) ? (int)count : 0)];
        return clients.All(count => count > 0);
    }

    // The load only ever goes to this machine's 127.0.0.1.
    private static bool Loopback(string text, [NotNullWhen(true)] out Uri? url) =>
        Uri.TryCreate(text, UriKind.Absolute, out url) && url.Scheme == Uri.UriSchemeHttp && url.Host == "127.0.0.1";
}
