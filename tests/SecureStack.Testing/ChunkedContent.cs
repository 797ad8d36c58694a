using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace SecureStack.Testing;

/// <summary>
/// A body of unknown length: HttpClient sends it chunked, with no Content-Length, as a client trying to keep a
/// body from being read before it is forwarded would.
/// </summary>
public sealed class ChunkedContent : HttpContent
{
    private readonly byte[] _body;

    public ChunkedContent(string body, string mediaType)
    {
        _body = Encoding.UTF8.GetBytes(body);
        Headers.ContentType = new MediaTypeHeaderValue(mediaType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_body).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
