using SecureStack.Identity.Tests.Infrastructure;

// One Development server shared by the tests that do not restart it or change its configuration; each test
// registers its own users, so they do not interfere.
[assembly: AssemblyFixture(typeof(IdentityServerFactory))]
