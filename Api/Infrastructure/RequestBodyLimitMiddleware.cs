using Microsoft.Extensions.Options;
using SecureStack.ServiceDefaults.Options;

namespace SecureStack.Api.Infrastructure;

/// <summary>
/// Refuses a body larger than <see cref="RequestLimitsOptions.MaxRequestBodyBytes"/> with 413: at once when
/// Content-Length says so, and as soon as a body without one (chunked) grows past the limit. Kestrel's own limit
/// is the outer fence; this one is the Api's and holds behind any server or proxy.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<RequestLimitsOptions> options)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problemDetails)
    {
        var limit = options.Value.MaxRequestBodyBytes;

        if (context.Request.ContentLength > limit)
        {
            await WriteTooLargeAsync(context, problemDetails, limit);
            return;
        }

        var limited = new LengthLimitedStream(context.Request.Body, limit);
        context.Request.Body = limited;

        await next(context);

        // The body reader swallows the stream's IOException as a broken request; answer it properly here.
        if (limited.LimitExceeded && !context.Response.HasStarted)
        {
            context.Response.Clear();
            await WriteTooLargeAsync(context, problemDetails, limit);
        }
    }

    private static async Task WriteTooLargeAsync(HttpContext context, IProblemDetailsService problemDetails, long limit)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "The request body is too large.",
                Detail = $"Request bodies are limited to {limit} bytes.",
            },
        });
    }

    private sealed class LengthLimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public bool LimitExceeded { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _read += read;
            if (_read > limit)
            {
                LimitExceeded = true;
                throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
            }

            return read;
        }
    }
}
