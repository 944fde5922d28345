using System.Diagnostics;
using System.Net;
using System.Text;

namespace NodeNomad.Console.Tests.EndToEnd;

/// <summary>The console as a real process, started from src/NodeNomad.Console's build output; disposing it kills it.</summary>
public sealed class ConsoleProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private readonly IReadOnlyDictionary<string, string> _environment;

    private ConsoleProcess(Process process, Uri baseAddress, IReadOnlyDictionary<string, string> environment)
    {
        _process = process;
        BaseAddress = baseAddress;
        _environment = environment;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the console on <paramref name="port"/> and waits until its sign-in page answers.</summary>
    public static async Task<ConsoleProcess> StartAsync(int port, IReadOnlyDictionary<string, string> environment)
    {
        var assembly = ConsoleAssembly();
        // With a certificate (TLS_CERT_FILE) the console serves https only.
        var tls = environment.ContainsKey(Contracts.TlsFiles.CertFileKey);
        var baseAddress = new Uri($"{(tls ? "https" : "http")}://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var console = new ConsoleProcess(new Process { StartInfo = start }, baseAddress, environment);
        console._process.OutputDataReceived += (_, e) => console.Append(e.Data);
        console._process.ErrorDataReceived += (_, e) => console.Append(e.Data);
        console._process.Start();
        console._process.BeginOutputReadLine();
        console._process.BeginErrorReadLine();
        try
        {
            await console.WaitReadyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await console.DisposeAsync();
            throw;
        }

        return console;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static string ConsoleAssembly()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(Repository.Root, "src", "NodeNomad.Console", "bin", configuration, "net10.0", "NodeNomad.Console.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build src/NodeNomad.Console first.", path);
    }

    /// <summary>A handler for calls to the console: trusting the authority it was given (<c>TLS_CA_FILE</c>) when it serves TLS.</summary>
    public HttpMessageHandler Handler() => NodeNomad.Testing.TestCertificates.HandlerFor(_environment);

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient(Handler()) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The console exited with code {_process.ExitCode}. Output:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/login", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The console did not answer in time. Output:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
