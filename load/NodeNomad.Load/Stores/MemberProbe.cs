namespace NodeNomad.Load.Stores;

/// <summary>Asks each member whether it is alive.</summary>
internal static class MemberProbe
{
    public static async Task<IReadOnlyList<string>> SilentAsync(IEnumerable<(string Id, Uri Url)> members, string path, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var answers = await Task.WhenAll(members.Select(async member =>
        {
            try
            {
                using var response = await http.GetAsync(new Uri(member.Url, path), cancellationToken);
                return (member.Id, Alive: true);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return (member.Id, Alive: false);
            }
        }));
        return [.. answers.Where(a => !a.Alive).Select(a => a.Id)];
    }
}
