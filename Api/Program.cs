using SecureStack.Api.Apis;
using SecureStack.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddSecureStackJwtBearer();
builder.AddApiAuthorization();
builder.AddApiInput();
builder.AddNotesData();
builder.AddApiOpenApi();

var app = builder.Build();

app.MapDefaultEndpoints();
app.UseRequestBodyLimit();

app.MapApiOpenApi();
app.MapPingApi();
app.MapNotesApi();
app.MapAdminApi();

app.Run();
