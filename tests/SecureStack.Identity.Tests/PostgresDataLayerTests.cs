using SecureStack.Identity.Tests.Infrastructure;

namespace SecureStack.Identity.Tests;

// The data-layer tests again, unchanged, on PostgreSQL: registration, login and lockout, client storage and
// token issue, refresh-token redemption, and the durability of registration. Migrations apply from empty when
// the server starts.
[Collection(PostgresCollection.Name)]
public sealed class AccountTestsOnPostgres(PostgresIdentityServerFactory factory) : AccountTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class ClientCredentialsTestsOnPostgres(PostgresIdentityServerFactory factory) : ClientCredentialsTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class RefreshTokenTestsOnPostgres(PostgresIdentityServerFactory factory) : RefreshTokenTests(factory);

[Collection(PostgresCollection.Name)]
public sealed class RegistrationDurabilityTestsOnPostgres(PostgresIdentityServerFactory factory) : RegistrationDurabilityTests(factory);
