using SecureStack.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSecureStackRedis();
builder.AddGatewayProxy();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapReverseProxy();

app.Run();

/// <summary>Marker for <c>WebApplicationFactory</c>: every service has its own, so tests can reference several.</summary>
public partial class Program;
