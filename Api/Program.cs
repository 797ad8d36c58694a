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

// After the exception handler and status code pages, so a 401 or 403 is problem+json like every other error.
app.UseAuthentication();
app.UseAuthorization();
app.UseRequestBodyLimit();

app.MapApiOpenApi();
app.MapPingApi();
app.MapNotesApi();
app.MapAdminApi();

app.Run();
