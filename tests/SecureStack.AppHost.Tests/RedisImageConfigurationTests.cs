using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace SecureStack.AppHost.Tests;

/// <summary>The resource graph only: nothing is started, so these need no container engine.</summary>
public sealed class RedisImageConfigurationTests
{
    [Fact]
    public async Task WithoutAnImageSettingRedisUsesTheUpstreamImage()
    {
        // An empty value on the command line hides whatever eng/test.sh put in the environment.
        var image = await RedisImageAsync(["--Containers:Redis:Image="]);

        Assert.Equal("docker.io", image.Registry);
        Assert.Equal("library/redis", image.Image);
    }

    [Fact]
    public async Task AConfiguredLocalImageReplacesTheUpstreamOneUnderItsOwnName()
    {
        var image = await RedisImageAsync(["--Containers:Redis:Image=securestack/redis:7.0-debian"]);

        Assert.Null(image.Registry);
        Assert.Equal("securestack/redis", image.Image);
        Assert.Equal("7.0-debian", image.Tag);
    }

    [Fact]
    public async Task AConfiguredRegistryImageKeepsItsRegistryAndTag()
    {
        var image = await RedisImageAsync(["--Containers:Redis:Image=registry.example.com:5000/cache/redis:7.4"]);

        Assert.Equal("registry.example.com:5000", image.Registry);
        Assert.Equal("cache/redis", image.Image);
        Assert.Equal("7.4", image.Tag);
    }

    private static async Task<ContainerImageAnnotation> RedisImageAsync(string[] args)
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SecureStack_AppHost>(
            args, TestContext.Current.CancellationToken);

        var redis = builder.Resources.Single(resource => resource.Name == "redis");
        return redis.Annotations.OfType<ContainerImageAnnotation>().Last();
    }
}
