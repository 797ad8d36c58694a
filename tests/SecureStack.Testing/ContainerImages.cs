namespace SecureStack.Testing;

/// <summary>
/// The images the tests start. Same configuration keys as the AppHost (<c>Containers:Redis:Image</c>,
/// <c>Containers:Postgres:Image</c>, as the environment variables <c>Containers__Redis__Image</c>,
/// <c>Containers__Postgres__Image</c>): eng/test.sh points them at locally built images only where the upstream
/// ones cannot be pulled.
/// </summary>
public static class ContainerImages
{
    public const string UpstreamRedis = "docker.io/library/redis:8.6";

    /// <summary>The image Aspire.Hosting.PostgreSQL publishes, so tests and deployments run the same major version.</summary>
    public const string UpstreamPostgres = "docker.io/library/postgres:18.3";

    public static string Redis => Configured("Containers__Redis__Image") ?? UpstreamRedis;

    public static string Postgres => Configured("Containers__Postgres__Image") ?? UpstreamPostgres;

    private static string? Configured(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured ? configured : null;
}
