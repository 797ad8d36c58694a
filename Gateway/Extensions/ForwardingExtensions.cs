using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;
using SecureStack.Gateway.Transforms;

namespace SecureStack.Gateway.Extensions;

public static class ForwardingExtensions
{
    /// <summary>Per-route time limits (YARP <c>TimeoutPolicy</c>) from the <c>Forwarding</c> section, no server banner.</summary>
    public static WebApplicationBuilder AddGatewayForwarding(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForwardingOptions>()
            .BindConfiguration(ForwardingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ForwardingOptions>, ForwardingOptionsValidator>();

        builder.Services.AddOptions<RequestTimeoutOptions>()
            .Configure<IOptions<ForwardingOptions>>((timeouts, forwarding) =>
            {
                foreach (var (name, seconds) in forwarding.Value.TimeoutPolicies)
                {
                    timeouts.AddPolicy(name, TimeSpan.FromSeconds(seconds));
                }
            });
        builder.Services.AddRequestTimeouts();

        // The edge does not announce its server software; backends' banners are removed by the transforms.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        return builder;
    }

    private sealed class ForwardingOptionsValidator : IValidateOptions<ForwardingOptions>
    {
        public ValidateOptionsResult Validate(string? name, ForwardingOptions options)
        {
            var errors = options.TimeoutPolicies
                .Where(pair => pair.Value is < 1 or > 600)
                .Select(pair => $"Forwarding:TimeoutPolicies:{pair.Key} must be between 1 and 600 seconds.")
                .ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
