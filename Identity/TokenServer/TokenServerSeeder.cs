using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using SecureStack.Identity.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.TokenServer;

/// <summary>
/// Makes the stored scopes and clients match configuration at start-up (created or updated, secrets re-hashed
/// by OpenIddict), so rotating a client secret is a configuration change and a restart.
/// </summary>
internal sealed class TokenServerSeeder(IServiceScopeFactory scopeFactory, IOptions<TokenServerOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var scopes = scope.ServiceProvider.GetRequiredService<IOpenIddictScopeManager>();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var settings = options.Value;

        foreach (var name in ApiScopes.All)
        {
            var descriptor = new OpenIddictScopeDescriptor { Name = name, DisplayName = name, Resources = { settings.Audience } };
            var existing = await scopes.FindByNameAsync(name, cancellationToken);
            if (existing is null)
            {
                await scopes.CreateAsync(descriptor, cancellationToken);
            }
            else
            {
                await scopes.UpdateAsync(existing, descriptor, cancellationToken);
            }
        }

        foreach (var (clientId, client) in settings.Clients)
        {
            var descriptor = Describe(clientId, client);
            var existing = await applications.FindByClientIdAsync(clientId, cancellationToken);
            if (existing is null)
            {
                await applications.CreateAsync(descriptor, cancellationToken);
            }
            else
            {
                await applications.UpdateAsync(existing, descriptor, cancellationToken);
            }
        }

        // Configuration is the source of truth: a client removed from it must stop working, with its tokens.
        var stale = new List<object>();
        await foreach (var application in applications.ListAsync(count: null, offset: null, cancellationToken))
        {
            if (await applications.GetClientIdAsync(application, cancellationToken) is not { } clientId || !settings.Clients.ContainsKey(clientId))
            {
                stale.Add(application);
            }
        }

        foreach (var application in stale)
        {
            await applications.DeleteAsync(application, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static OpenIddictApplicationDescriptor Describe(string clientId, ClientOptions client)
    {
        var isPublic = string.Equals(client.ClientType, ClientOptions.Public, StringComparison.Ordinal);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = isPublic ? null : client.ClientSecret,
            ClientType = isPublic ? ClientTypes.Public : ClientTypes.Confidential,
            DisplayName = client.DisplayName ?? clientId,

            // First-party clients only, configured by us: no consent screen.
            ConsentType = ConsentTypes.Implicit,
        };

        descriptor.Permissions.Add(Permissions.Endpoints.Token);
        descriptor.Permissions.Add(Permissions.Endpoints.Revocation);
        if (client.AllowIntrospection)
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Introspection);
        }

        foreach (var grantType in client.GrantTypes)
        {
            descriptor.Permissions.Add(Permissions.Prefixes.GrantType + grantType);
        }

        if (client.GrantTypes.Contains(GrantTypes.AuthorizationCode))
        {
            descriptor.Permissions.Add(Permissions.Endpoints.Authorization);
            descriptor.Permissions.Add(Permissions.Endpoints.EndSession);
            descriptor.Permissions.Add(Permissions.ResponseTypes.Code);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }

        if (client.GrantTypes.Contains(GrantTypes.DeviceCode))
        {
            descriptor.Permissions.Add(Permissions.Endpoints.DeviceAuthorization);
        }

        foreach (var scope in client.Scopes.Where(scope => scope != Scopes.OpenId))
        {
            descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        }

        descriptor.RedirectUris.UnionWith(client.RedirectUris);
        descriptor.PostLogoutRedirectUris.UnionWith(client.PostLogoutRedirectUris);
        return descriptor;
    }
}
