// One PostgreSQL container for the data-layer tests that run on both providers; each Api host gets its own database.
[assembly: AssemblyFixture(typeof(SecureStack.Testing.PostgresContainerFixture))]

// One Redis for every Api host: the Api refuses to start outside Development without the deny-list's Redis.
[assembly: AssemblyFixture(typeof(SecureStack.Testing.AssemblyRedis))]
