using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using SecureStack.ServiceDefaults.Security;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>
/// Applies the policy a route names (YARP <c>RateLimiterPolicy</c>): every policy in its chain that counts the
/// request must admit it. Admitted and rejected responses carry the RateLimit fields; a rejection is a 429 (or,
/// for a Closed fallback, a 503) ProblemDetails with Retry-After, or a device grant's <c>slow_down</c>, and a
/// security event. A token request whose form cannot be read is refused before it is counted further.
/// </summary>
internal sealed class GatewayRateLimitingMiddleware(
    RequestDelegate next,
    GatewayRateLimiter limiter,
    RateLimitPartitioner partitioner,
    TokenRequestFormReader tokenForms,
    RateLimitingMetrics metrics,
    SecurityEvents securityEvents,
    IProblemDetailsService problemDetails)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName is not { } policyName
            || endpoint.Metadata.GetMetadata<DisableRateLimitingAttribute>() is not null)
        {
            await next(context);
            return;
        }

        var decisions = new List<RateLimitDecision>(2);
        try
        {
            RateLimitDecision? rejection = null;
            foreach (var policy in limiter.ChainFor(policyName))
            {
                // After the address's own budget (token-ip comes first): a flood of unreadable forms still spends it.
                if (policy.Options.PartitionBy.IsTokenRequest() && (await tokenForms.ReadAsync(context)).Refusal is { } refusal)
                {
                    await RefuseAsync(context, refusal);
                    return;
                }

                if (await partitioner.GetPartitionAsync(context, policy.Options.PartitionBy) is not { } partition)
                {
                    continue;
                }

                var decision = await policy.DecideAsync(partition, context.RequestAborted);
                decisions.Add(decision);
                Record(decision);
                if (!decision.Admitted)
                {
                    rejection = decision;
                    break;
                }
            }

            if (decisions.Count > 0)
            {
                Tag(rejection ?? decisions[^1]);
                SetHeaders(context, decisions);
            }

            if (rejection is not null)
            {
                await RejectAsync(context, rejection);
                return;
            }

            await next(context);
        }
        finally
        {
            foreach (var decision in decisions)
            {
                decision.Release();
            }
        }
    }

    private void Record(RateLimitDecision decision) =>
        metrics.Decision(decision.Policy.Name, decision.PartitionKind, decision.Admitted, decision.Source, decision.Elapsed);

    private static void Tag(RateLimitDecision decision)
    {
        if (Activity.Current is not { } activity)
        {
            return;
        }

        activity.SetTag("securestack.rate_limit.policy", decision.Policy.Name);
        activity.SetTag("securestack.rate_limit.partition_kind", decision.PartitionKind);
        activity.SetTag("securestack.rate_limit.outcome", decision.Admitted ? "admitted" : "rejected");
        activity.SetTag("securestack.rate_limit.source", decision.Source.Label());
        activity.SetTag("securestack.rate_limit.fallback", decision.Source != DecisionSource.Redis);
    }

    private static void SetHeaders(HttpContext context, List<RateLimitDecision> decisions)
    {
        var policies = RateLimitHeaders.FormatPolicies(decisions);
        var limits = RateLimitHeaders.FormatLimits(decisions);

        // Set when the response starts, so they replace whatever a backend sent: the edge's limits are the ones
        // a client meets first.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[RateLimitHeaders.Policy] = policies;
            if (limits.Length > 0)
            {
                context.Response.Headers[RateLimitHeaders.Limit] = limits;
            }
            else
            {
                context.Response.Headers.Remove(RateLimitHeaders.Limit);
            }

            return Task.CompletedTask;
        });
    }

    private async Task RejectAsync(HttpContext context, RateLimitDecision rejection)
    {
        var closed = rejection.Source == DecisionSource.Closed;
        var retryAfter = Math.Max(1, rejection.ResetSeconds ?? 1);

        securityEvents.RateLimited(rejection.Policy.Name, rejection.PartitionKind, context.Request.Path);
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);

        if (!closed && rejection.Policy.Options.Rejection == RateLimitRejection.SlowDown)
        {
            // The token endpoint's own error format (RFC 6749 5.2), which every device client reads.
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsJsonAsync(new OAuthError(
                "slow_down", "The device is polling faster than its interval: add 5 seconds to it (RFC 8628 3.5)."));
            return;
        }

        context.Response.StatusCode = closed ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status429TooManyRequests;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = context.Response.StatusCode,
                Type = closed
                    ? "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4"
                    : "https://www.rfc-editor.org/rfc/rfc6585#section-4",
                Title = closed ? "Service temporarily unavailable." : "Too many requests.",
                Detail = $"Retry after {retryAfter} seconds.",
            },
        });
    }

    private async Task RefuseAsync(HttpContext context, TokenRequestRefusal refusal)
    {
        securityEvents.TokenRequestRefused(refusal.Reason, context.Request.Path);

        context.Response.StatusCode = refusal.Status;
        await problemDetails.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = refusal.Status,
                Title = refusal.Title,
                Detail = refusal.Detail,
                // An OAuth client reads "error" (RFC 6749 5.2), whatever else the body says.
                Extensions = { ["error"] = "invalid_request" },
            },
        });
    }

    private sealed record OAuthError(
        [property: JsonPropertyName("error")] string Error,
        [property: JsonPropertyName("error_description")] string ErrorDescription);
}
