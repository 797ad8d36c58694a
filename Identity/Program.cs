using SecureStack.Identity.Apis;
using SecureStack.Identity.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddIdentityDatabase();
builder.AddSharedDataProtection();
builder.AddAccounts();
builder.AddTokenServer();
builder.AddRevocationSharing();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseAntiforgery();

app.MapTokenApi();
app.MapAuthorizationApi();
app.MapDeviceApi();
app.MapAccountApi();

app.Run();
