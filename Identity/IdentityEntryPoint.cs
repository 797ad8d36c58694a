namespace SecureStack.Identity;

/// <summary>
/// Names this service's assembly for <c>WebApplicationFactory&lt;T&gt;</c>. Each service has its own marker
/// (Program stays internal) so a test project can reference several services without a type clash.
/// </summary>
public sealed class IdentityEntryPoint
{
    private IdentityEntryPoint()
    {
    }
}
