using Microsoft.Extensions.Options;
using SecureStack.Identity.Options;

namespace SecureStack.Identity.Data;

/// <summary>The folder holding the SQLite file and generated development keys (git-ignored, never in the image).</summary>
public sealed class DataFolder(IOptions<TokenServerOptions> options, IHostEnvironment environment)
{
    private readonly string _root = Path.GetFullPath(options.Value.DataPath, environment.ContentRootPath);

    public string Root
    {
        get
        {
            Directory.CreateDirectory(_root);
            return _root;
        }
    }

    public string PathFor(params string[] segments)
    {
        var path = Path.Combine([Root, .. segments]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
