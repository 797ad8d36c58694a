using SecureStack.AppHost.Extensions;

var builder = DistributedApplication.CreateBuilder(args);

// Redis holds the Gateway's distributed rate-limit counters. Its password is a generated secret parameter.
var redis = builder.AddRedis("redis")
    .WithImageFromConfiguration(builder.Configuration);

var identity = builder.AddProject<Projects.SecureStack_Identity>("identity")
    .WithHttpHealthCheck(ServiceHealth.ReadinessPath, endpointName: "http");

var api = builder.AddProject<Projects.SecureStack_Api>("api")
    .WithReference(identity).WaitFor(identity)
    .WithHttpHealthCheck(ServiceHealth.ReadinessPath, endpointName: "http");

// The Gateway is the only resource reachable from outside the application.
builder.AddProject<Projects.SecureStack_Gateway>("gateway")
    .WithReference(redis).WaitFor(redis)
    .WithReference(identity).WaitFor(identity)
    .WithReference(api).WaitFor(api)
    .WithHttpHealthCheck(ServiceHealth.ReadinessPath, endpointName: "http")
    .WithExternalHttpEndpoints();

builder.Build().Run();
