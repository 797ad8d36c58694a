namespace SecureStack.Testing;

/// <summary>
/// The images the tests start. Same configuration key as the AppHost (<c>Containers:Redis:Image</c>, as the
/// environment variable <c>Containers__Redis__Image</c>): eng/test.sh points it at a locally built image only
/// where the upstream one cannot be pulled.
/// </summary>
public static class ContainerImages
{
    public const string UpstreamRedis = "docker.io/library/redis:8.6";

    public static string Redis =>
        Environment.GetEnvironmentVariable("Containers__Redis__Image") is { Length: > 0 } configured
            ? configured
            : UpstreamRedis;
}
