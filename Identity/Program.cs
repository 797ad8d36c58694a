var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// TODO(issue 4): OpenIddict token server on ASP.NET Core Identity + EF Core.

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();

/// <summary>Marker for <c>WebApplicationFactory</c>: every service has its own, so tests can reference several.</summary>
public partial class Program;
