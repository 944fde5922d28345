using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NodeNomad.Load;

/// <summary>Parsers of option values.</summary>
internal static class OptionValues
{
    public static bool Whole(string text, long min, long max, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    public static bool ClientList(string text, out int[] clients)
    {
        clients = [.. text.Split(',', StringSplitOptions.TrimEntries).Select(part => Whole(part, 1, LoadSettings.MaxClients, out var count) ? (int)count : 0)];
        return clients.All(count => count > 0);
    }

    // The load only ever goes to this machine's 127.0.0.1.
    public static bool Loopback(string text, [NotNullWhen(true)] out Uri? url) =>
        Uri.TryCreate(text, UriKind.Absolute, out url) && url.Scheme == Uri.UriSchemeHttp && url.Host == "127.0.0.1";
}
