namespace SecureStack.Api.Tests.Infrastructure;

/// <summary>Every protected route of the Api, with a request that would succeed given the right token.</summary>
public static class Routes
{
    public const string Notes = "/api/v1/notes";
    public const string AdminNotes = "/api/v1/admin/notes";

    public static string Note(Guid id) => $"{Notes}/{id}";

    public static readonly string SomeNote = Note(Guid.Parse("0193a4b2-0000-7000-8000-000000000001"));

    public const string ValidNoteJson = """{"title":"t","body":"b","tags":["x"]}""";

    private static readonly (string Method, string Path, string? Body, string Scope)[] NoteRouteList =
    [
        ("GET", Notes, null, "api.read"),
        ("GET", SomeNote, null, "api.read"),
        ("POST", Notes, ValidNoteJson, "api.write"),
        ("PUT", SomeNote, ValidNoteJson, "api.write"),
        ("PATCH", SomeNote, """{"title":"t"}""", "api.write"),
        ("DELETE", SomeNote, null, "api.write"),
    ];

    /// <summary>(method, path, body, scope that grants it) for each route under the notes policies.</summary>
    public static TheoryData<string, string, string?, string> NoteRoutes
    {
        get
        {
            var data = new TheoryData<string, string, string?, string>();
            foreach (var (method, path, body, scope) in NoteRouteList)
            {
                data.Add(method, path, body, scope);
            }

            return data;
        }
    }

    /// <summary>(method, path) of every protected route, admin included.</summary>
    public static TheoryData<string, string> ProtectedRoutes
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (method, path, _, _) in NoteRouteList)
            {
                data.Add(method, path);
            }

            data.Add("GET", AdminNotes);
            return data;
        }
    }

    public static HttpRequestMessage Request(string method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        return request;
    }
}
