using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace SecureStack.ServiceDefaults.Tests.Baseline;

/// <summary>
/// A minimal service built exactly as Identity, Api and Gateway are (AddServiceDefaults + MapDefaultEndpoints)
/// on real Kestrel on loopback, so the server's own limits (413, 431) and TLS are part of what is tested.
/// Outside Development it serves HTTPS with a throw-away certificate the client pins.
/// </summary>
public sealed class BaselineApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestCertificate? _certificate;

    private BaselineApp(WebApplication app, TestCertificate? certificate, Uri address)
    {
        _app = app;
        _certificate = certificate;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public static async Task<BaselineApp> StartAsync(
        string environment,
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null)
    {
        var https = environment != Environments.Development;
        var certificate = https ? TestCertificate.Create() : null;
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                EnvironmentName = environment,
                ApplicationName = typeof(BaselineApp).Assembly.GetName().Name,
            });
            builder.WebHost.UseUrls(https ? "https://127.0.0.1:0" : "http://127.0.0.1:0");
            var defaults = new Dictionary<string, string?>();
            if (certificate is not null)
            {
                defaults["Kestrel:Certificates:Default:Path"] = certificate.Path;
                defaults["Kestrel:Certificates:Default:Password"] = TestCertificate.Password;
                defaults["urls"] = "https://127.0.0.1:0";
            }

            builder.Configuration.AddInMemoryCollection(defaults);
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            builder.Logging.ClearProviders();
            builder.Services.AddFakeLogging(options => options.CollectRecordsForDisabledLogLevels = false);
            builder.Logging.SetMinimumLevel(LogLevel.Information);

            builder.AddServiceDefaults();
            configure?.Invoke(builder);

            var app = builder.Build();
            app.MapDefaultEndpoints();
            MapTestEndpoints(app);
            map?.Invoke(app);

            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new BaselineApp(app, certificate, new Uri(address));
        }
        catch
        {
            certificate?.Dispose();
            throw;
        }
    }

    /// <summary>A client that trusts this app's certificate and nothing else; redirects are not followed.</summary>
    public HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        if (_certificate is not null)
        {
            var certificate = _certificate;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => certificate.IsThisCertificate(presented);
        }

        return new HttpClient(handler) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>Whether <paramref name="presented"/> is this app's certificate, for clients that do their own TLS.</summary>
    public bool PresentsItsOwnCertificate(System.Security.Cryptography.X509Certificates.X509Certificate? presented) =>
        _certificate?.IsThisCertificate(presented) == true;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate?.Dispose();
    }

    private static void MapTestEndpoints(WebApplication app)
    {
        app.MapGet("/ok", () => TypedResults.Ok(new { ok = true })).AllowAnonymous();
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code)).AllowAnonymous();
        app.MapGet("/throw", string () => throw new InvalidOperationException("secret internal detail: db=prod-7")).AllowAnonymous();
        app.MapPost("/notes", (NoteInput note) => TypedResults.Ok(note)).AllowAnonymous();
        app.MapPost("/json", (JsonElement body) => TypedResults.Ok(body.ValueKind.ToString())).AllowAnonymous();
        app.MapGet("/peer", (HttpContext context) => TypedResults.Ok(new Peer(
            context.Connection.RemoteIpAddress?.ToString(), context.Request.Scheme))).AllowAnonymous();
    }
}

public sealed record NoteInput(string Title, string? Body);

public sealed record Peer(string? RemoteIp, string Scheme);
