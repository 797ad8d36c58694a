using Microsoft.Extensions.Configuration;

namespace SecureStack.AppHost.Extensions;

public static class ContainerImageExtensions
{
    /// <summary>Configuration key for the Redis image reference, e.g. <c>securestack/redis:7.0-debian</c>.</summary>
    public const string RedisImageKey = "Containers:Redis:Image";

    /// <summary>Configuration key for the PostgreSQL image reference, e.g. <c>securestack/postgres:15-debian</c>.</summary>
    public const string PostgresImageKey = "Containers:Postgres:Image";

    /// <summary>
    /// Lets configuration (<paramref name="key"/>) replace a container's upstream image (the integration's default
    /// stays when the key is unset). eng/ scripts set it only on machines that cannot pull, pointing at an image
    /// built locally under an honest local name rather than one that impersonates the upstream tag.
    /// </summary>
    public static IResourceBuilder<T> WithImageFromConfiguration<T>(
        this IResourceBuilder<T> container, IConfiguration configuration, string key)
        where T : ContainerResource
    {
        var reference = configuration[key];
        if (string.IsNullOrWhiteSpace(reference))
        {
            return container;
        }

        var image = ImageReference.Parse(reference);
        return container.WithImageRegistry(image.Registry).WithImage(image.Repository, image.Tag);
    }
}

/// <summary>A container image reference split the way Docker reads it: [registry/]repository[:tag].</summary>
public sealed record ImageReference(string? Registry, string Repository, string Tag)
{
    public static ImageReference Parse(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        if (reference.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Image '{reference}': pin by tag here, digests are not supported.", nameof(reference));
        }

        string? registry = null;
        var rest = reference;
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = reference[..slash];
            // Docker's rule: the first component is a registry only if it looks like a host.
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                registry = first;
                rest = reference[(slash + 1)..];
            }
        }

        var colon = rest.LastIndexOf(':');
        return colon > rest.LastIndexOf('/')
            ? new ImageReference(registry, rest[..colon], rest[(colon + 1)..])
            : new ImageReference(registry, rest, "latest");
    }
}
