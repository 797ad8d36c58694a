namespace SecureStack.Identity.Extensions;

public static class RevocationExtensions
{
    /// <summary>
    /// With the Redis the Gateway uses (<c>ConnectionStrings:redis</c>), revoked access tokens are published
    /// there and refused by every service at once; without it they stay valid until they expire.
    /// TODO(issue 7): a self-check finding outside Development when Redis is not configured.
    /// </summary>
    public static WebApplicationBuilder AddRevocationSharing(this WebApplicationBuilder builder)
    {
        if (!string.IsNullOrEmpty(builder.Configuration.GetConnectionString(RedisExtensions.ConnectionName)))
        {
            builder.AddSecureStackRedis();
        }

        return builder;
    }
}
