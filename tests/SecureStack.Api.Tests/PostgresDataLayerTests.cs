using SecureStack.Api.Tests.Infrastructure;

namespace SecureStack.Api.Tests;

// The data-layer tests again, unchanged, on PostgreSQL: CRUD and owner scoping, keyset paging, ETag concurrency.
public sealed class NotesCrudTestsOnPostgres(PostgresApiFactory factory) : NotesCrudTests(factory), IClassFixture<PostgresApiFactory>;

public sealed class PagingTestsOnPostgres(PostgresApiFactory factory) : PagingTests(factory), IClassFixture<PostgresApiFactory>;

public sealed class ConcurrencyTestsOnPostgres(PostgresApiFactory factory) : ConcurrencyTests(factory), IClassFixture<PostgresApiFactory>;
