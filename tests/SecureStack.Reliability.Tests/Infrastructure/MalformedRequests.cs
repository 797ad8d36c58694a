using System.Net.Http.Headers;
using System.Text;

namespace SecureStack.Reliability.Tests.Infrastructure;

/// <summary>One generated request: how to send it and a line that describes it when it fails.</summary>
public sealed record MalformedRequest(string Description, Func<Uri, HttpRequestMessage>? Http, byte[]? Raw)
{
    /// <summary>
    /// 505 is the answer RFC 9110 prescribes for a request line naming an HTTP version the server does not speak:
    /// the one 5xx that is about the request, not a failure of the server.
    /// </summary>
    public bool Allows505 { get; init; }
}

/// <summary>
/// A seeded generator of hostile requests against the Gateway's routes to the Api and Identity: broken and
/// mistyped JSON, huge numbers, deep nesting, invalid UTF-8 in bodies, paths and headers, odd and oversized
/// headers, malformed and forged tokens, long paths, broken HTTP framing. The same seed gives the same requests.
/// </summary>
public sealed class MalformedRequests(int seed, string validToken)
{
    private static readonly string[] Paths =
    [
        "/api/v1/notes", "/api/v1/notes/{id}", "/api/v1/notes?limit={n}&cursor={s}", "/api/v1/ping", "/api/v1/admin/notes",
        "/connect/token", "/connect/revoke", "/connect/introspect", "/connect/authorize?client_id={s}&response_type=code",
        "/connect/device", "/.well-known/openid-configuration", "/.well-known/jwks", "/account/register", "/account/login",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "PROPFIND"];

    private static readonly string[] Bodies =
    [
        "{", "{\"title\":", "[1,2", "{\"title\":\"x\"}}", "{\"title\":123,\"body\":[],\"tags\":\"no\"}", "{\"title\":null,\"tags\":[null,{}]}",
        "{\"title\":\"x\",\"body\":\"y\",\"tags\":[],\"ownerId\":\"admin\",\"version\":-1}", "{\"limit\":1e400}",
        "{\"title\":99999999999999999999999999999999999999,\"body\":-1e309}", "{\"title\":\"\\ud800\"}", "{\"title\":\"\\u0000\"}",
        "null", "true", "\"\"", "{\"title\":\"a\",\"title\":\"b\"}", "{'title':'single quotes'}", "grant_type=password&username=",
        "grant_type=client_credentials&client_id=securestack-service&client_secret=%ZZ", "email=&password=", "%%%%", "a=1&a=2&a=3",
    ];

    private const string BadVersion = "a bad HTTP version";

    private readonly Random _random = new(seed);

    public IEnumerable<MalformedRequest> Take(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return _random.Next(5) == 0 ? RawRequest(i) : HttpRequest(i);
        }
    }

    private MalformedRequest HttpRequest(int index)
    {
        var method = Pick(Methods);
        var path = Path();
        var (bodyDescription, body) = Body();
        var (contentType, accept) = (Pick(["application/json", "application/x-www-form-urlencoded", "text/plain", "application/json; charset=utf-16", "multipart/form-data; boundary=", "*/*", "application/merge-patch+json"]),
            Pick(["*/*", "application/json", "text/html", "application/xml", "garbage/;;"]));
        var authorization = Authorization();
        var extra = ExtraHeader();
        var description = $"#{index} {method} {(path.Length > 80 ? path[..80] + "…" : path)} auth={authorization.Name} body={bodyDescription} ct={contentType} {extra.Name}";

        return new MalformedRequest(description, gateway =>
        {
            // Absolute, so a path starting with "//" stays a path instead of naming a host.
            var request = new HttpRequestMessage(new HttpMethod(method), new Uri(gateway.GetLeftPart(UriPartial.Authority) + path));
            if (body is not null && method is not ("GET" or "HEAD" or "TRACE"))
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            request.Headers.TryAddWithoutValidation("Accept", accept);
            if (authorization.Value is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization.Value);
            }

            if (extra.Value is not null)
            {
                request.Headers.TryAddWithoutValidation(extra.Name, extra.Value);
            }

            return request;
        }, Raw: null);
    }

    /// <summary>Bytes no HttpClient would send: invalid UTF-8 and control characters in the request line and headers, broken framing.</summary>
    private MalformedRequest RawRequest(int index)
    {
        var (name, head) = _random.Next(8) switch
        {
            0 => ("invalid UTF-8 in the path", Bytes("GET /api/v1/notes/", [0xC3, 0x28, 0xFF, 0xFE], " HTTP/1.1\r\nHost: gateway\r\n")),
            1 => ("invalid UTF-8 in a header", Bytes("GET /api/v1/notes HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ", [0xED, 0xA0, 0x80, 0xC0, 0xAF], "\r\n")),
            2 => ("control characters in a header", Bytes("GET /.well-known/jwks HTTP/1.1\r\nHost: gateway\r\nX-Test: a\u0001b\u0000c\r\n", [], "")),
            3 => ("no Host header", Bytes("GET /api/v1/ping HTTP/1.1\r\n", [], "")),
            4 => (BadVersion, Bytes("GET /api/v1/ping HTTP/9.9\r\nHost: gateway\r\n", [], "")),
            5 => ("a Content-Length that lies", Bytes("POST /connect/token HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: -5\r\n", [], "")),
            6 => ("broken chunked framing", Bytes("POST /api/v1/notes HTTP/1.1\r\nHost: gateway\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nZZZ\r\n{}\r\n0\r\n", [], "")),
            _ => ("invalid UTF-8 in a JSON body", Bytes($"POST /api/v1/notes HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer {validToken}\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{{\"title\":\"", [0xC3, 0x28, 0xFF], "\"}   ")),
        };
        var bytes = head.Length > 0 && head[^1] == (byte)'\n' && !name.Contains("chunked", StringComparison.Ordinal) && !name.Contains("JSON body", StringComparison.Ordinal)
            ? [.. head, .. "Connection: close\r\n\r\n"u8.ToArray()]
            : head;
        return new MalformedRequest($"#{index} raw: {name}", Http: null, Raw: bytes) { Allows505 = name == BadVersion };
    }

    private string Path()
    {
        var path = Pick(Paths)
            .Replace("{id}", Pick([Guid.NewGuid().ToString(), "not-a-guid", "00000000-0000-0000-0000-000000000000", "%00", "..%2F..%2Fetc%2Fpasswd", "%FF%FE", new string('9', 400)]), StringComparison.Ordinal)
            .Replace("{n}", Pick(["-1", "0", "99999999999999999999", "1e9", "abc"]), StringComparison.Ordinal)
            .Replace("{s}", Pick(["%C3%28", "%00", "'--", "<script>", new string('A', 3000)]), StringComparison.Ordinal);
        return _random.Next(10) switch
        {
            0 => path + "/" + new string('a', 4000 + _random.Next(4000)),
            1 => path + "/%2e%2e/%2e%2e/health",
            2 => "//" + path.TrimStart('/'),
            _ => path,
        };
    }

    private (string, byte[]?) Body() => _random.Next(8) switch
    {
        0 => ("none", null),
        1 => ("invalid UTF-8", [.. "{\"title\":\""u8.ToArray(), 0xC3, 0x28, 0xA0, 0xA1, 0xFF, .. "\",\"body\":\"x\",\"tags\":[]}"u8.ToArray()]),
        2 => ("deep nesting", Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000))),
        3 => ("huge string", Encoding.UTF8.GetBytes("{\"title\":\"" + new string('x', 200_000) + "\"}")),
        4 => ("random bytes", RandomBytes(1 + _random.Next(512))),
        _ => ("fixed sample", Encoding.UTF8.GetBytes(Pick(Bodies))),
    };

    private (string Name, string? Value) Authorization() => _random.Next(9) switch
    {
        0 => ("none", null),
        1 => ("valid", $"Bearer {validToken}"),
        2 => ("tampered", $"Bearer {validToken[..^4]}AAAA"),
        3 => ("alg-none", $"Bearer {Base64Url("{\"alg\":\"none\",\"typ\":\"at+jwt\"}")}.{validToken.Split('.')[1]}."),
        4 => ("garbage", $"Bearer {Convert.ToBase64String(RandomBytes(40))}"),
        5 => ("two-segments", "Bearer abc.def"),
        6 => ("huge", "Bearer " + new string('A', 12_000)),
        7 => ("wrong-scheme", $"Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:admin"))}"),
        _ => ("bad-json-header", $"Bearer {Base64Url("{\"alg\":")}.{Base64Url("{\"sub\":1e999}")}.c2ln"),
    };

    private (string Name, string? Value) ExtraHeader() => _random.Next(10) switch
    {
        0 => ("If-Match", Pick(["\"", "*,*", "W/\"1\"", "\"" + new string('9', 50) + "\""])),
        1 => ("X-Forwarded-For", Pick(["999.999.1.1", "::::", "a, b, c", new string('1', 2000)])),
        2 => ("Range", "bytes=0-1,-2,abc"),
        3 => ("Content-Encoding", Pick(["gzip", "br", "identity, gzip, x"])),
        4 => ("Origin", Pick(["null", "https://evil.example", "%00"])),
        5 => ("Cookie", new string(';', 300)),
        6 => ("X-HTTP-Method-Override", "DELETE"),
        7 => ("Expect", "100-continue"),
        _ => ("none", null),
    };

    private T Pick<T>(T[] options) => options[_random.Next(options.Length)];

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static string Base64Url(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    private static byte[] Bytes(string before, byte[] middle, string after) =>
        [.. Encoding.ASCII.GetBytes(before), .. middle, .. Encoding.ASCII.GetBytes(after)];
}
