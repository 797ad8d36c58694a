using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace SecureStack.AppHost.Tests;

/// <summary>
/// Runs the built AppHost the way azd does (<c>dotnet run --publisher manifest</c>) and returns the manifest it
/// wrote. Publish mode starts nothing, so no container engine is needed.
/// </summary>
public static class PublishManifest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    public static async Task<Manifest> GenerateAsync(IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("securestack-manifest-");
        try
        {
            var path = Path.Combine(folder.FullName, "aspire-manifest.json");
            var configuration = typeof(PublishManifest).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // The test project references the AppHost, so its build output exists: run it, don't rebuild it.
            foreach (var argument in (string[])["run", "--project", Projects.SecureStack_AppHost.ProjectPath,
                "--no-build", "--configuration", configuration, "--", "--publisher", "manifest", "--output-path", path, .. args])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            if (process.ExitCode != 0 || !File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"The AppHost did not publish a manifest (exit {process.ExitCode}):\n{await output}\n{await error}");
            }

            var text = await File.ReadAllTextAsync(path, cancellationToken);
            return new Manifest(text, JsonDocument.Parse(text).RootElement.Clone(), folder.FullName);
        }
        finally
        {
            // The manifest's project paths are relative to its folder; resolved paths stay valid without it.
            folder.Delete(recursive: true);
        }
    }
}

/// <summary>A published manifest: its text (to search for leaked values) and its <c>resources</c>.</summary>
public sealed record Manifest(string Text, JsonElement Root, string Folder)
{
    public JsonElement Resources => Root.GetProperty("resources");

    public JsonElement Resource(string name) =>
        Resources.TryGetProperty(name, out var resource) ? resource : throw new KeyNotFoundException($"The manifest has no resource '{name}'.");

    public IEnumerable<string> NamesOfType(string type) =>
        Resources.EnumerateObject().Where(resource => resource.Value.GetProperty("type").GetString() == type).Select(resource => resource.Name);

    public string? Env(string resource, string name) =>
        Resource(resource).GetProperty("env").TryGetProperty(name, out var value) ? value.GetString() : null;
}
