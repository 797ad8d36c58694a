using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SecureStack.Security.Tests.Owasp;

/// <summary>API3:2023 Broken Object Property Level Authorization: mass assignment and over-exposure.</summary>
[Collection(SecurityCollection.Name)]
public sealed class Api03PropertyLevelAuthorizationTests(SecurityFixture fixture)
{
    private static readonly string[] NoteFields = ["id", "title", "body", "tags", "createdAt", "updatedAt"];

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("ownerId")]
    [InlineData("OwnerId")]
    [InlineData("id")]
    [InlineData("createdAt")]
    [InlineData("version")]
    [InlineData("role")]
    public async Task API3_ANoteCannotBeCreatedWithAServerOwnedProperty(string property)
    {
        using var gateway = fixture.CreateGatewayClient(await fixture.UserTokenAsync("alice"));
        var body = new Dictionary<string, object> { ["title"] = "mass assignment", ["body"] = "", [property] = "attacker-value" };

        using var response = await gateway.PostAsJsonAsync("/api/v1/notes", body, Cancellation);

        await SecurityBaseline.AssertSafeProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task API3_APatchCannotMoveANoteToAnotherOwner()
    {
        using var alice = fixture.CreateGatewayClient(await fixture.UserTokenAsync("alice"));
        var (note, etag) = await GatewayCalls.CreateNoteAsync(alice, "stays alice's");

        using var response = await GatewayCalls.SendJsonAsync(alice, HttpMethod.Patch, note.ToString(), new { ownerId = "bob" }, etag);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task API3_ANoteResponseCarriesOnlyItsPublicFields()
    {
        using var alice = fixture.CreateGatewayClient(await fixture.UserTokenAsync("alice"));
        var (note, _) = await GatewayCalls.CreateNoteAsync(alice, "fields");

        var body = await alice.GetFromJsonAsync<JsonElement>(note.ToString(), Cancellation);

        Assert.Equal(NoteFields.Order(), body.EnumerateObject().Select(property => property.Name).Order());
    }

    [Fact]
    public async Task API3_RegistrationIgnoresOrRefusesARoleClaim()
    {
        var email = $"wannabe-admin-{fixture.RunId}@example.test";
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        using var anonymous = fixture.CreateGatewayClient();

        using var registered = await anonymous.PostAsJsonAsync("/account/register",
            new { email, password, roles = new[] { "admin" }, role = "admin", emailConfirmed = true }, Cancellation);

        if (registered.StatusCode == HttpStatusCode.BadRequest)
        {
            return; // Refused outright: unknown members rejected.
        }

        Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
        var token = SecurityFixture.AccessToken(await fixture.RequestTokenAsync(SecurityFixture.PasswordGrant(email, password, "api.read api.admin")));
        using var user = fixture.CreateGatewayClient(token);
        using var admin = await user.GetAsync("/api/v1/admin/notes", Cancellation);
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
    }
}
