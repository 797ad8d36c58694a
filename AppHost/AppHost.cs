using SecureStack.AppHost.Extensions;

var builder = DistributedApplication.CreateBuilder(args);

// Redis holds the Gateway's distributed rate-limit counters and the revocation deny-list every token-validating
// service replicates. Its password is a generated secret parameter; its memory is capped.
var redis = builder.AddRedis("redis")
    .WithImageFromConfiguration(builder.Configuration, ContainerImageExtensions.RedisImageKey)
    .WithMemoryLimit();

// Database:Provider = Postgres: one PostgreSQL server, a database each for Identity and the Api. Unset or
// Sqlite: each keeps its embedded SQLite file and nothing more runs.
var databaseServer = builder.AddDatabaseServer();

// Secrets are parameters: generated once and kept in the AppHost's user secrets, or supplied as
// Parameters:<name> (environment Parameters__<name>). Never literals.
var serviceClientSecret = builder.AddGeneratedSecret("service-client-secret");

// Published only: the platform ingress in front of every service (see docs/deploy.md).
var ingressNetwork = builder.AddIngressNetwork();

var gateway = builder.AddProject<Projects.SecureStack_Gateway>("gateway");

// Tokens carry the public origin clients use (the Gateway), however Identity itself is reached.
var issuer = gateway.IssuerUrl();

// Identity runs as one instance locally: in Development it signs with keys generated into its own data folder.
// Published, its keys come from certificates and its users, tokens and Data Protection key ring from the
// database, so with PostgreSQL it can scale out (docs/deploy.md).
var identity = builder.AddProject<Projects.SecureStack_Identity>("identity")
    .WithReference(redis).WaitFor(redis)
    .WithDatabase(databaseServer, "identitydb", "Database__Provider")
    .WithEnvironment("Identity__Issuer", issuer)
    .WithEnvironment("Identity__Clients__securestack-service__ClientSecret", serviceClientSecret)
    .WithDevelopmentDemoUser(builder)
    .WithPublishedCertificates(builder)
    .BehindIngress(ingressNetwork)
    .WithServiceProbes();

// The Api refuses revoked tokens itself (defence in depth: it must not rely on the Gateway alone), so it
// replicates the deny-list from Redis too.
var api = builder.AddProject<Projects.SecureStack_Api>("api")
    .WithReference(redis).WaitFor(redis)
    .WithReference(identity).WaitFor(identity)
    .WithDatabase(databaseServer, "notesdb", "NotesDatabase__Provider", connectionName: "notes")
    .WithEnvironment("Authentication__Jwt__Issuer", issuer)
    .WithReplicas(builder.Configuration.GetReplicas(ScaleExtensions.ApiReplicasKey))
    .BehindIngress(ingressNetwork)
    .WithServiceProbes();

// The Gateway is the only resource reachable from outside the application.
gateway
    .WithReference(redis).WaitFor(redis)
    .WithReference(identity).WaitFor(identity)
    .WithReference(api).WaitFor(api)
    .WithEnvironment("Authentication__Jwt__Issuer", issuer)
    .WithGatewayReplicas(builder.Configuration.GetReplicas(ScaleExtensions.GatewayReplicasKey))
    .BehindIngress(ingressNetwork)
    .WithIngressClientAddresses(ingressNetwork)
    .WithPublicHostNames()
    .WithExternalHttpEndpoints()
    .WithServiceProbes();

builder.Build().Run();
