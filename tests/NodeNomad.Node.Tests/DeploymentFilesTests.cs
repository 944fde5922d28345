using System.Diagnostics;

namespace NodeNomad.Node.Tests;

/// <summary>
/// The deployment files (Compose, kustomize) render and hold what a node needs: <c>deploy/validate.sh</c>, which
/// needs neither a Docker engine nor a Kubernetes server, and its checker's refusal of a broken manifest.
/// </summary>
public sealed class DeploymentFilesTests(ITestOutputHelper output)
{
    private static readonly string Root = RepositoryRoot();

    [Fact]
    public async Task every_compose_file_and_overlay_renders_and_passes_its_structural_checks()
    {
        var (exitCode, text) = await RunAsync("bash", "deploy/validate.sh");

        output.WriteLine(text);
        exitCode.ShouldBe(0, text);
        text.ShouldContain(" checks passed, 0 failed");
        text.ShouldContain("docker-compose.prod.yml refuses to render without its secrets");
        text.ShouldContain("preStop runs the node's hand-over");
        text.ShouldContain("a PodDisruptionBudget selects the node pods");
        text.ShouldNotContain("FAILED: ", Case.Sensitive);
    }

    [Fact]
    public async Task a_node_statefulset_without_probes_or_stop_hook_fails_the_checks()
    {
        var manifest = Path.Combine(Path.GetTempPath(), $"nodenomad-broken-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: nodenomad-node}
            spec:
              serviceName: nodenomad-node-peers
              selector: {matchLabels: {app: other}}
              template:
                metadata: {labels: {app: nodenomad}}
                spec:
                  containers:
                    - name: node
                      image: nodenomad/node:latest
                      env:
                        - {name: CLUSTER_SECRET, value: written-in-the-manifest}
            """);
        try
        {
            var (exitCode, text) = await RunAsync("python3", "deploy/check-manifests.py", "k8s", manifest, "--storage", "file");

            output.WriteLine(text);
            exitCode.ShouldBe(1);
            text.ShouldContain("FAILED: " + manifest + ": readiness from /health/ready");
            text.ShouldContain("FAILED: " + manifest + ": preStop runs the node's hand-over");
            text.ShouldContain("FAILED: " + manifest + ": the StatefulSet's selector matches its pods");
            text.ShouldContain("FAILED: " + manifest + ": nodenomad-node CLUSTER_SECRET is not a literal");
            text.ShouldContain("FAILED: " + manifest + ": nodenomad-node image nodenomad/node:latest has a pinned tag");
        }
        finally
        {
            File.Delete(manifest);
        }
    }

    private static async Task<(int ExitCode, string Text)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NodeNomad.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException($"No NodeNomad.sln above {AppContext.BaseDirectory}.");
    }
}
