using System.Net;
using System.Text.Json;
using SecureStack.Reliability.Tests.Infrastructure;

namespace SecureStack.Reliability.Tests;

/// <summary>
/// State that must outlive a process: accounts, clients, refresh and revocation state at Identity, notes at the
/// Api, revocations at the Gateway (in Redis); and writes that race must not overwrite each other. Concurrent
/// registrations and transactions belong to the data layer (see the Identity and Api tests).
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class DurabilityTests(RedisContainerFixture redis)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>
    /// Fault: Identity, then the Api, then the Gateway restart. Promise: a registered account still signs in, the
    /// configured client still gets tokens, a refresh token still refreshes and a revoked one stays revoked, a
    /// revoked access token stays refused, and a note is unchanged (same content, same ETag).
    /// </summary>
    [Fact]
    public async Task AccountsClientsRevocationsAndNotesSurviveARestartOfEachService()
    {
        await using var stack = await FaultStack.StartAsync(redis.ConnectionString);
        var (email, password) = await stack.RegisterAsync();
        var session = await stack.LoginAsync(email, password);
        var token = FaultStack.AccessToken(session);
        using var created = await stack.SendAsync(HttpMethod.Post, "/api/v1/notes", token, new { title = "durable", body = "still here", tags = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;
        var etag = created.Headers.ETag!.Tag;

        var revokedSession = await stack.LoginAsync(email, password);
        var revokedAccess = FaultStack.AccessToken(revokedSession);
        Assert.Equal(HttpStatusCode.OK, (await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", revokedAccess)).StatusCode);
        await RevokeAsync(stack, revokedAccess, "access_token");
        await RevokeAsync(stack, revokedSession.GetProperty("refresh_token").GetString()!, "refresh_token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", revokedAccess)).StatusCode);

        await stack.RestartIdentityAsync();
        Assert.Equal(JsonValueKind.String, (await stack.LoginAsync(email, password)).GetProperty("access_token").ValueKind);
        Assert.Equal(JsonValueKind.String, (await stack.ServiceTokenAsync()).GetProperty("access_token").ValueKind);
        using (var refreshed = await RefreshAsync(stack, session.GetProperty("refresh_token").GetString()!))
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }

        using (var refused = await RefreshAsync(stack, revokedSession.GetProperty("refresh_token").GetString()!))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("invalid_grant", await refused.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", revokedAccess)).StatusCode);

        await stack.StopApiAsync();
        stack.StartApi();
        using (var note = await stack.SendAsync(HttpMethod.Get, location, token))
        {
            Assert.Equal(HttpStatusCode.OK, note.StatusCode);
            Assert.Equal(etag, note.Headers.ETag!.Tag);
            Assert.Contains("still here", await note.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        await stack.RestartGatewayAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await stack.SendAsync(HttpMethod.Get, "/api/v1/notes", revokedAccess)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stack.SendAsync(HttpMethod.Get, location, token)).StatusCode);
    }

    /// <summary>
    /// Fault: writers race with the same ETag, through the Gateway and straight at each of two Api replicas sharing
    /// one database. Promise: exactly one update wins; every other one is a 412 ProblemDetails, never a silent overwrite.
    /// </summary>
    [Fact]
    public async Task UpdatesRacingWithTheSameETagAcrossApiReplicasHaveExactlyOneWinner()
    {
        await using var stack = await FaultStack.StartAsync(redis.ConnectionString, apiReplicas: 2);
        var token = FaultStack.AccessToken(await stack.LoginDemoUserAsync());
        using var created = await stack.SendAsync(HttpMethod.Post, "/api/v1/notes", token, new { title = "original", body = "b", tags = Array.Empty<string>() });
        var location = created.Headers.Location!.OriginalString;
        var etag = created.Headers.ETag!.Tag;
        using var replica0 = stack.ApiReplica(0).CreateHttpClient();
        using var replica1 = stack.ApiReplica(1).CreateHttpClient();
        HttpClient[] writers = [stack.Client, replica0, replica1];

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var request = stack.Request(HttpMethod.Patch, location, token, new { title = $"writer {i}" }, etag);
            var response = await writers[i % writers.Length].SendAsync(request, Cancellation);
            return (Writer: i, Response: response);
        }));

        var winners = responses.Where(r => r.Response.StatusCode == HttpStatusCode.OK).ToList();
        Assert.Single(winners);
        foreach (var (_, response) in responses.Where(r => r.Response.StatusCode != HttpStatusCode.OK))
        {
            await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.PreconditionFailed);
        }

        using var stored = await stack.SendAsync(HttpMethod.Get, location, token);
        Assert.Contains($"writer {winners[0].Writer}\"", await stored.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        Assert.Equal(winners[0].Response.Headers.ETag, stored.Headers.ETag);
    }

    private static async Task RevokeAsync(FaultStack stack, string token, string hint)
    {
        using var response = await stack.Client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = FaultStack.DemoClient,
            ["token"] = token,
            ["token_type_hint"] = hint,
        }), Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static Task<HttpResponseMessage> RefreshAsync(FaultStack stack, string refreshToken) =>
        stack.PostTokenAsync(new()
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = FaultStack.DemoClient,
            ["refresh_token"] = refreshToken,
        });
}
