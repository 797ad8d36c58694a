var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// TODO(issue 4): OpenIddict token server on ASP.NET Core Identity + EF Core.

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
