using SecureStack.Api.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapPingApi();

app.Run();

/// <summary>Marker for <c>WebApplicationFactory</c>: every service has its own, so tests can reference several.</summary>
public partial class Program;
