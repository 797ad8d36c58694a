using System.Globalization;
using System.Text.Json.Nodes;

namespace SecureStack.AppHost.Tests;

/// <summary>The limits of the Gateway's routes and of the services behind them, as the services ship them.</summary>
public sealed class BodyLimitConfigurationTests
{
    /// <summary>
    /// A body the Gateway forwards but the Api refuses unread (its 413 answers on Content-Length alone) cannot be
    /// drained by the Api's server past its own limit, so it closes the connection while the Gateway is still
    /// sending; depending on which side of that race the Gateway's client lands, the client got the Api's 413 or a
    /// 502 (1 of 3,000 requests in the fuzz run). With the route's limit no larger, the Gateway refuses it first.
    /// </summary>
    [Fact]
    public void TheGatewayForwardsNoLargerBodyToTheApiThanTheApiAccepts()
    {
        var forwarded = long.Parse(
            Settings("Gateway")["ReverseProxy"]!["Routes"]!["api"]!["Metadata"]!["MaxRequestBodySize"]!.GetValue<string>(),
            CultureInfo.InvariantCulture);
        var accepted = Settings("Api")["RequestLimits"]!["MaxRequestBodyBytes"]!.GetValue<long>();

        Assert.InRange(forwarded, 1, accepted);
    }

    private static JsonNode Settings(string project) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, project, "appsettings.json")))!;

    // ProjectPath is the AppHost's folder.
    private static string RepositoryRoot =>
        Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Projects.SecureStack_AppHost.ProjectPath))!;
}
