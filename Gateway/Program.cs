using SecureStack.Gateway.Extensions;
using SecureStack.Gateway.RateLimiting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayEdgeExposure();
builder.AddSecureStackRedis();
builder.AddGatewayAuthentication();
builder.AddGatewayRateLimiting();
builder.AddGatewayForwarding();
builder.AddGatewayProxy();

var app = builder.Build();

app.MapDefaultEndpoints(afterAuthentication: edge => edge.UseGatewayRateLimiting());
app.UseRequestTimeouts();
app.MapGatewayReverseProxy();

app.Run();
