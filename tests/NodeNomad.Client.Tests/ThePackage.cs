using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace NodeNomad.Client.Tests;

/// <summary>
/// What a stranger gets from <c>dotnet pack</c>: one installable package with its metadata, readme and symbols, that a
/// fresh app restores from a local folder, with the README's program compiling against it as written.
/// </summary>
public sealed partial class ThePackage(ThePackage.Packed packed) : IClassFixture<ThePackage.Packed>
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromMinutes(5);

    private string Root => packed.Root;

    private string Version => packed.Version;

    private string Feed => packed.Feed;

    [Fact]
    public void the_package_carries_its_metadata_readme_contract_and_symbols()
    {
        using var package = ZipFile.OpenRead(Path.Combine(Feed, $"NodeNomad.Client.{Version}.nupkg"));
        var files = package.Entries.Select(e => e.FullName).ToList();
        files.ShouldContain("README.md");
        files.ShouldContain("lib/net10.0/NodeNomad.Client.dll");
        files.ShouldContain("lib/net10.0/NodeNomad.Client.xml");
        files.ShouldContain("lib/net10.0/NodeNomad.Contracts.dll");

        using var nuspecStream = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        Field("description").ShouldNotBeNullOrWhiteSpace();
        Field("readme").ShouldBe("README.md");
        Field("license").ShouldBe("MIT");
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        repository.Attribute("type")!.Value.ShouldBe("git");
        if (OriginRemote() is { } origin && origin.StartsWith("https://", StringComparison.Ordinal))
        {
            repository.Attribute("url")!.Value.ShouldBe(origin);
            Field("projectUrl").ShouldBe(origin.EndsWith(".git", StringComparison.Ordinal) ? origin[..^4] : origin);
        }
        else
        {
            // No public address is known: the package names none rather than a made-up one.
            repository.Attribute("url").ShouldBeNull();
            Field("projectUrl").ShouldBeNull();
        }
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToList();
        dependencies.ShouldNotContain("NodeNomad.Contracts");
        dependencies.ShouldContain("Refit");

        using var symbols = ZipFile.OpenRead(Path.Combine(Feed, $"NodeNomad.Client.{Version}.snupkg"));
        symbols.Entries.Select(e => e.FullName).ShouldContain("lib/net10.0/NodeNomad.Client.pdb");
    }

    [Fact]
    public void a_repository_url_given_to_pack_names_the_repository_and_the_project()
    {
        using var package = ZipFile.OpenRead(Path.Combine(packed.NamedFeed, $"NodeNomad.Client.{Version}.nupkg"));
        using var nuspecStream = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");

        metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("url")!.Value.ShouldBe(Packed.NamedRepository);
        metadata.Elements().Single(e => e.Name.LocalName == "projectUrl").Value.ShouldBe("https://nodenomad.example/source");
    }

    [Fact]
    public async Task a_new_app_restores_the_package_from_a_folder_and_the_readme_program_compiles_against_it()
    {
        var app = Path.Combine(Root, "sample");
        Directory.CreateDirectory(app);
        var cache = Path.Combine(Root, "packages");

        // Only the local feed is a source; what else the app needs comes from the machine's package cache, read only.
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{cache}" /></config>
              <packageSources><clear /><add key="local" value="{Feed}" /></packageSources>
              <fallbackPackageFolders><clear /><add key="machine" value="{MachinePackages()}" /></fallbackPackageFolders>
            </configuration>
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(app, "Sample.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NodeNomad.Client" Version="{Version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.0" />
              </ItemGroup>
            </Project>
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), ReadmeProgram(), TestContext.Current.CancellationToken);

        await DotnetAsync(app, "build", "-nologo", "-clp:ErrorsOnly");

        Directory.Exists(Path.Combine(cache, "nodenomad.client", Version)).ShouldBeTrue("NodeNomad.Client was restored from the local feed");
        File.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "NodeNomad.Contracts.dll")).ShouldBeTrue();
    }

    /// <summary>The README's C# block, exactly as a reader sees it.</summary>
    private static string ReadmeProgram()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "NodeNomad.Client", "README.md"));
        return CSharpBlock().Matches(readme).Select(m => m.Groups["code"].Value).ShouldHaveSingleItem();
    }

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    private static string MachinePackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string Configuration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NodeNomad.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"No NodeNomad.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>The URL of the repository's git remote "origin", or null when it has none.</summary>
    private static string? OriginRemote()
    {
        var start = new ProcessStartInfo("git", ["remote", "get-url", "origin"])
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var url = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 && url.Length > 0 ? url : null;
    }

    private static async Task DotnetAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var reading = Task.WhenAll(
            Task.Run(async () => output.Append(await process.StandardOutput.ReadToEndAsync())),
            Task.Run(async () => output.Append(await process.StandardError.ReadToEndAsync())));
        using var limit = new CancellationTokenSource(CommandLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {CommandLimit}.");
        }

        await reading;
        process.ExitCode.ShouldBe(0, $"dotnet {string.Join(' ', arguments)} in {workingDirectory}:\n{output}");
    }

    /// <summary>The client packed once for the class, into a temporary folder.</summary>
    public sealed class Packed : IAsyncLifetime
    {
        public string Root { get; } = Path.Combine(Path.GetTempPath(), $"nodenomad-package-{Guid.NewGuid():N}");

        public string Version { get; } = $"0.0.0-local.{DateTime.UtcNow:yyyyMMddHHmmss}";

        public const string NamedRepository = "https://nodenomad.example/source.git";

        public string Feed => Path.Combine(Root, "feed");

        /// <summary>Where the package packed with <c>NodeNomadRepositoryUrl</c> given is.</summary>
        public string NamedFeed => Path.Combine(Root, "named");

        public async ValueTask InitializeAsync()
        {
            Directory.CreateDirectory(Feed);

            // --no-build: the package is made from the build the tests run against; nothing in the repository is rewritten.
            await DotnetAsync(RepositoryRoot(), "pack", Path.Combine("src", "NodeNomad.Client"), "-c", Configuration(), "--no-build", "-nologo",
                "-o", Feed, $"-p:PackageVersion={Version}");
            await DotnetAsync(RepositoryRoot(), "pack", Path.Combine("src", "NodeNomad.Client"), "-c", Configuration(), "--no-build", "-nologo",
                "-o", NamedFeed, $"-p:PackageVersion={Version}", $"-p:NodeNomadRepositoryUrl={NamedRepository}");
        }

        public ValueTask DisposeAsync()
        {
            Directory.Delete(Root, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
