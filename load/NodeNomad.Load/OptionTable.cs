using System.Diagnostics.CodeAnalysis;

namespace NodeNomad.Load;

/// <summary>
/// The options of one command: flags, and options with a value, each applied to a record of settings. An error
/// names the option and what it expects.
/// </summary>
internal sealed class OptionTable<T>
    where T : class
{
    private readonly Dictionary<string, Func<T, T>> flags = [];
    private readonly Dictionary<string, (string Expected, Func<T, string, T?> Apply)> valued = [];

    public OptionTable<T> Flag(string name, Func<T, T> apply)
    {
        flags.Add(name, apply);
        return this;
    }

    /// <param name="name">The option, such as <c>--seconds</c>.</param>
    /// <param name="expected">What its value must be, for error messages.</param>
    /// <param name="apply">The settings with the value applied, or null when the value is not acceptable.</param>
    public OptionTable<T> Valued(string name, string expected, Func<T, string, T?> apply)
    {
        valued.Add(name, (expected, apply));
        return this;
    }

    /// <summary><c>--seconds</c>, <c>--clients</c>, <c>--value-bytes</c> and <c>--max-requests</c>, kept in the settings' <see cref="LoadSettings"/>.</summary>
    public OptionTable<T> Load(Func<T, LoadSettings> get, Func<T, LoadSettings, T> set) => this
        .Valued("--seconds", "1..3600", (o, text) => OptionValues.Whole(text, 1, 3600, out var seconds) ? set(o, get(o) with { Seconds = (int)seconds }) : null)
        .Valued("--clients", $"a list like 1,64, each 1..{LoadSettings.MaxClients}",
            (o, text) => OptionValues.ClientList(text, out var clients) ? set(o, get(o) with { Clients = clients }) : null)
        .Valued("--value-bytes", $"1..{LoadSettings.MaxValueBytes}",
            (o, text) => OptionValues.Whole(text, 1, LoadSettings.MaxValueBytes, out var bytes) ? set(o, get(o) with { ValueBytes = (int)bytes }) : null)
        .Valued("--max-requests", "a positive whole number",
            (o, text) => OptionValues.Whole(text, 1, long.MaxValue, out var max) ? set(o, get(o) with { MaxRequests = max }) : null);

    public bool TryParse(IReadOnlyList<string> args, T defaults, [NotNullWhen(true)] out T? parsed, [NotNullWhen(false)] out string? error)
    {
        var current = defaults;
        error = null;
        for (var i = 0; i < args.Count && error is null; i++)
        {
            var name = args[i];
            if (flags.TryGetValue(name, out var flag))
            {
                current = flag(current);
            }
            else if (!valued.TryGetValue(name, out var option))
            {
                error = $"{name}: unknown option.";
            }
            else if (i + 1 == args.Count)
            {
                error = $"{name}: the value is missing; expected {option.Expected}.";
            }
            else
            {
                var value = args[++i];
                if (option.Apply(current, value) is { } applied)
                {
                    current = applied;
                }
                else
                {
                    error = $"{name} '{value}': expected {option.Expected}.";
                }
            }
        }

        parsed = error is null ? current : null;
        return error is null;
    }
}
