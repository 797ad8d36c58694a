using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SecureStack.Gateway.Tests;

/// <summary>
/// A real HTTP backend on 127.0.0.1 for the Gateway to forward to: it echoes what it received (path, headers,
/// body) and has a slow endpoint and an expensive one that holds the request for a while.
/// </summary>
public sealed class BackendServer : IAsyncDisposable
{
    public static readonly TimeSpan ExpensiveHold = TimeSpan.FromMilliseconds(1500);

    /// <summary>What a careless backend says when it fails: internals the Gateway must not pass on.</summary>
    public const string BrokenBody = "System.InvalidOperationException: connection to db-internal:5432 failed\n   at Backend.Handler()";

    private readonly WebApplication _app;
    private int _requests;

    private BackendServer(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    /// <summary>Requests that reached the backend: what the Gateway let through.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<BackendServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new BackendServer(app);

        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref server._requests);
            // Banners the Gateway must not pass on.
            context.Response.Headers["X-Powered-By"] = "backend-test";
            await next(context);
        });
        app.MapGet("/api/slow", async (CancellationToken cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
            return Results.Ok();
        });
        app.MapGet("/api/expensive/{**rest}", async () =>
        {
            await Task.Delay(ExpensiveHold);
            return Results.Ok();
        });
        app.MapGet("/api/broken/{status:int}", (int status, HttpContext context) =>
        {
            context.Response.Headers.RetryAfter = "7";
            return Results.Text(BrokenBody, "text/plain", statusCode: status);
        });
        app.MapFallback(async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            return Results.Json(new Echo(
                context.Request.Path,
                context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body));
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Address = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record Echo(string Path, Dictionary<string, string> Headers, string Body);
