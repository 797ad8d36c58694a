using SecureStack.Identity.Tests.Infrastructure;

// One Development server shared by the tests that do not restart it or change its configuration; each test
// registers its own users, so they do not interfere.
[assembly: AssemblyFixture(typeof(IdentityServerFactory))]

// One PostgreSQL container for the data-layer tests that run on both providers; each server gets its own database.
[assembly: AssemblyFixture(typeof(SecureStack.Testing.PostgresContainerFixture))]

// One Redis for every host outside Development: Identity refuses to start there without the deny-list's Redis.
[assembly: AssemblyFixture(typeof(SecureStack.Testing.AssemblyRedis))]
