using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SecureStack.Api.Apis;

public static class PingApi
{
    public static IEndpointRouteBuilder MapPingApi(this IEndpointRouteBuilder app)
    {
        // Anonymous on purpose, and the only such route: the whole-system tests use it to prove routing and
        // trace propagation without needing a token. It reveals nothing but trace ids the caller already has.
        var api = app.MapGroup("/api/v1/ping").WithTags("Ping").AllowAnonymous();
        api.MapGet("/", GetPing);
        return app;
    }

    /// <summary>
    /// The smallest real endpoint: it reports the W3C trace it ran in, which proves that a request through
    /// the Gateway arrived here with its trace context intact.
    /// </summary>
    public static Ok<PingResponse> GetPing()
    {
        var activity = Activity.Current;
        return TypedResults.Ok(new PingResponse(
            Service: "api",
            TraceId: activity?.TraceId.ToHexString(),
            ParentSpanId: activity?.ParentSpanId.ToHexString()));
    }
}

public sealed record PingResponse(string Service, string? TraceId, string? ParentSpanId);
