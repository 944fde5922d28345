using System.Text.Json;
using System.Text.Json.Serialization;

namespace NodeNomad.Load.Reports;

/// <summary><c>report.json</c>: the whole <see cref="RunReport"/>, camelCase, for tools.</summary>
internal static class JsonReport
{
    public const string FileName = "report.json";

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Write(RunReport report, string folder)
    {
        var path = Path.Combine(folder, FileName);
        File.WriteAllText(path, JsonSerializer.Serialize(report, Options));
        return path;
    }

    public static RunReport Read(string path) =>
        JsonSerializer.Deserialize<RunReport>(File.ReadAllText(path), Options) ?? throw new JsonException($"{path} holds no report");
}
