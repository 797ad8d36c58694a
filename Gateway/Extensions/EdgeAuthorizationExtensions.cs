namespace SecureStack.Gateway.Extensions;

public static class EdgeAuthorizationExtensions
{
    /// <summary>The route policy for the Api: a valid access token from Identity (YARP <c>AuthorizationPolicy</c>).</summary>
    public const string AccessTokenPolicy = "access-token";

    /// <summary>
    /// Access tokens are validated at the edge with the same shared extension the Api uses (defense in depth):
    /// a request without a valid token never reaches a backend. Scope and ownership decisions stay in the Api,
    /// which validates the token again. No fallback policy: a path no route matches is a 404, not a 401.
    /// </summary>
    public static WebApplicationBuilder AddGatewayAuthentication(this WebApplicationBuilder builder)
    {
        builder.AddSecureStackJwtBearer();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AccessTokenPolicy, policy => policy.RequireAuthenticatedUser());
        return builder;
    }
}
