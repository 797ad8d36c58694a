using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

/// <summary>The Api's point of view: plain JwtBearer, configured only with the issuer and the audience.</summary>
[Collection(OwnServerCollection.Name)]
public sealed class JwtBearerResourceServerTests(IdentityServerFactory factory)
{
    [Fact]
    public async Task SeparatelyConfiguredJwtBearerAcceptsTheTokenAndRejectsATamperedOne()
    {
        var client = factory.CreateClient();
        var accessToken = (await OAuth.ClientCredentialsAsync(client)).String("access_token");
        await using var api = await ResourceServer.StartAsync(factory);

        using var anonymous = await api.Client.GetAsync("/whoami", OAuth.Cancel);
        api.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var accepted = await api.Client.GetAsync("/whoami", OAuth.Cancel);
        var parts = accessToken.Split('.');
        var tampered = parts[0] + "." + Base64UrlEncoder.Encode(Base64UrlEncoder.DecodeBytes(parts[1]).Reverse().ToArray()) + "." + parts[2];
        api.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tampered);
        using var rejected = await api.Client.GetAsync("/whoami", OAuth.Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var body = JsonDocument.Parse(await accepted.Content.ReadAsStringAsync(OAuth.Cancel)).RootElement;
        Assert.Equal(IdentityServerFactory.ServiceClientId, body.String("clientId"));
        Assert.True(body.GetProperty("isService").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
    }
}
