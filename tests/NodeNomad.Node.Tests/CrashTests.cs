using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using NodeNomad.Contracts;
using NodeNomad.Testing;

namespace NodeNomad.Node.Tests;

/// <summary>A real node process killed with SIGKILL loses no acknowledged write.</summary>
public sealed class CrashTests
{
    [Fact]
    public async Task every_acknowledged_write_survives_sigkill_under_concurrent_writers()
    {
        await using var node = await NodeProcess.StartAsync(environment: new Dictionary<string, string> { ["SNAPSHOT_ENTRIES"] = "500" });
        using var http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var acknowledged = new ConcurrentDictionary<string, WriteResult>();
        var values = new ConcurrentDictionary<string, string>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested && n < 100_000; n++)
            {
                // Half the writers overwrite a small set of keys, so the latest acknowledged value matters too.
                var key = w % 2 == 0 ? $"w{w}/unique-{n}" : $"w{w}/hot-{n % 7}";
                var value = $"{w}:{n}";
                try
                {
                    using var response = await http.PostAsJsonAsync("/api/v1/set", new SetRequest(key, value), stop.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var result = (await response.Content.ReadFromJsonAsync<WriteResult>(stop.Token))!;
                        acknowledged[key] = result;
                        values[key] = value;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or OperationCanceledException)
                {
                    // The process is gone: this write was never acknowledged.
                }
            }
        })).ToArray();

        var deadline = Stopwatch.StartNew();
        while (acknowledged.Count < 300 && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        node.Kill();
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        acknowledged.Count.ShouldBeGreaterThan(100);

        await node.RestartAsync();
        foreach (var (key, written) in acknowledged)
        {
            using var response = await http.GetAsync(new Uri($"/api/v1/get/{Uri.EscapeDataString(key)}", UriKind.Relative));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"acknowledged key {key} is missing after the crash");
            var stored = (await response.Content.ReadFromJsonAsync<KeyValue>())!;

            // The stored version can be newer than the one we saw acknowledged (a later write that was in flight
            // when the process died may have reached the disk), never older.
            stored.Version.ShouldBeGreaterThanOrEqualTo(written.Version, $"key {key}");
            if (stored.Version == written.Version)
            {
                stored.Value.ShouldBe(values[key]);
            }
        }
    }

    [Fact]
    public async Task a_torn_tail_is_cut_at_restart_and_the_node_serves()
    {
        await using var node = await NodeProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        for (var i = 0; i < 20; i++)
        {
            (await http.SetAsync($"k{i}", $"v{i}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        node.Kill();
        var segment = Directory.GetFiles(Path.Combine(node.DataDir, "log", "wal")).Order(StringComparer.Ordinal).Last();
        await using (var file = new FileStream(segment, FileMode.Append))
        {
            // Half a record header and some payload: a batch cut short by the crash.
            await file.WriteAsync(new byte[] { 200, 0, 0, 0, 1, 2, 3 });
        }

        await node.RestartAsync();
        for (var i = 0; i < 20; i++)
        {
            (await (await http.GetAsync(Json.KeyPath("get", $"k{i}"))).BodyAsync<KeyValue>()).Value.ShouldBe($"v{i}");
        }

        (await http.SetAsync("after", "cut")).StatusCode.ShouldBe(HttpStatusCode.OK);
        node.Output.ShouldContain("torn tail");
    }

    [Fact]
    public async Task corruption_before_the_tail_stops_the_node_with_a_clear_error()
    {
        await using var node = await NodeProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        for (var i = 0; i < 20; i++)
        {
            (await http.SetAsync($"k{i}", new string('x', 100))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        node.Kill();
        var segment = Directory.GetFiles(Path.Combine(node.DataDir, "log", "wal")).Order(StringComparer.Ordinal).Last();
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[bytes.Length / 3] ^= 0x40;
        await File.WriteAllBytesAsync(segment, bytes);

        await node.RestartAsync(waitReady: false);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        code.ShouldBe(3);
        node.Output.ShouldContain("NodeNomad cannot start");
        node.Output.ShouldContain(Path.GetFileName(segment));
    }

    [Fact]
    public async Task an_invalid_configuration_stops_the_node_with_every_reason()
    {
        await using var node = await NodeProcess.StartAsync(
            environment: new Dictionary<string, string> { ["NODE_ID"] = "bad id!", ["SNAPSHOT_ENTRIES"] = "lots" },
            waitReady: false);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        code.ShouldBe(2);
        node.Output.ShouldContain("configuration is invalid");
        node.Output.ShouldContain("NODE_ID='bad id!'");
        node.Output.ShouldContain("SNAPSHOT_ENTRIES='lots' is not a whole number");
    }

    [Fact]
    public async Task a_port_in_use_stops_the_node_with_a_clear_error()
    {
        var port = NodeProcess.FreePort();
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        squatter.Start();
        await using var node = await NodeProcess.StartAsync(waitReady: false, port: port);
        var code = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        code.ShouldBe(4);
        node.Output.ShouldContain("Another process holds the port");
    }
}
