using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace SecureStack.AppHost.Tests;

/// <summary>
/// Gives one test AppHost its own SQLite files and development keys. Test assemblies run in parallel, and two
/// AppHosts on the project folders' <c>.data</c> would share Identity's database: each seeds the demo user and the
/// machine client with its own generated secrets, so one stack's tokens would start failing in the other.
/// (Linked into the security suite, which boots the AppHost too.)
/// </summary>
public static class IsolatedServiceData
{
    public static IDistributedApplicationTestingBuilder WithIsolatedServiceData(this IDistributedApplicationTestingBuilder builder)
    {
        var root = Directory.CreateTempSubdirectory("securestack-apphost-").FullName;
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(environment =>
            {
                switch (project.Name)
                {
                    case "identity":
                        environment["Identity__DataPath"] = Path.Combine(root, "identity");
                        break;
                    // A PostgreSQL stack already names the notes database by reference: leave it alone.
                    case "api" when !environment.ContainsKey("ConnectionStrings__notes"):
                        environment["ConnectionStrings__notes"] = $"Data Source={Path.Combine(root, "notes.db")}";
                        break;
                }
            }));
        }

        return builder;
    }
}
