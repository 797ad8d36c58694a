namespace SecureStack.AppHost.Extensions;

public static class IdentityExtensions
{
    /// <summary>
    /// A secret parameter with a generated default (32+ characters, persisted in the AppHost's user secrets so
    /// it survives restarts). Supply your own with <c>Parameters:&lt;name&gt;</c>.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddGeneratedSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

    /// <summary>The issuer URI, <c>https://host:port/</c>, of the Gateway's HTTPS endpoint.</summary>
    public static ReferenceExpression IssuerUrl(this IResourceBuilder<ProjectResource> gateway) =>
        ReferenceExpression.Create($"{gateway.GetEndpoint("https")}/");

    /// <summary>
    /// The README walk-through's demo user (Identity seeds it in Development only). Only when the AppHost runs
    /// locally: a published deployment must never carry a demo account, and Identity refuses one outside
    /// Development.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDevelopmentDemoUser(
        this IResourceBuilder<ProjectResource> identity, IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsRunMode)
        {
            identity.WithEnvironment("Identity__DemoUser__Password", builder.AddGeneratedSecret("demo-user-password"));
        }

        return identity;
    }
}
