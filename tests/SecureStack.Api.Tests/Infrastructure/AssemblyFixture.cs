// One PostgreSQL container for the data-layer tests that run on both providers; each Api host gets its own database.
[assembly: AssemblyFixture(typeof(SecureStack.Testing.PostgresContainerFixture))]
