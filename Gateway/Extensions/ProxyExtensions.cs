namespace SecureStack.Gateway.Extensions;

public static class ProxyExtensions
{
    public const string SectionName = "ReverseProxy";

    /// <summary>
    /// YARP with routes and clusters from the <c>ReverseProxy</c> configuration section; cluster addresses
    /// such as <c>https+http://api</c> are resolved through service discovery, so no backend address is
    /// written anywhere but in the orchestrator.
    /// </summary>
    public static WebApplicationBuilder AddGatewayProxy(this WebApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection(SectionName))
            .AddServiceDiscoveryDestinationResolver();

        return builder;
    }
}
