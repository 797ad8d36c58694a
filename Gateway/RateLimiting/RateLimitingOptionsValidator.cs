using System.Net;
using Microsoft.Extensions.Options;

namespace SecureStack.Gateway.RateLimiting;

/// <summary>Cross-field rules of <see cref="RateLimitingOptions"/>, every error reported at once.</summary>
internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        var errors = new List<string>();

        if (options.Policies.Count == 0)
        {
            errors.Add("RateLimiting:Policies is empty: define the policies the routes name.");
        }

        foreach (var (policyName, policy) in options.Policies)
        {
            var path = $"RateLimiting:Policies:{policyName}";
            if (!IsHeaderSafeName(policyName))
            {
                errors.Add($"{path}: a policy name may only contain letters, digits, '-' and '_' (it is sent in RateLimit headers).");
            }

            if (policy.PermitLimit < 1)
            {
                errors.Add($"{path}:PermitLimit must be at least 1.");
            }

            if (policy.Algorithm == RateLimitAlgorithm.FixedWindow && policy.WindowSeconds is < 1 or > 86400)
            {
                errors.Add($"{path}:WindowSeconds must be between 1 and 86400.");
            }

            foreach (var (list, other) in policy.AlsoApply.Select(other => ("AlsoApply", other)).Concat(policy.ThenApply.Select(other => ("ThenApply", other))))
            {
                if (!options.Policies.TryGetValue(other, out var included))
                {
                    errors.Add($"{path}:{list} names '{other}', which is not a policy.");
                }
                else if (other == policyName || included.AlsoApply.Count > 0 || included.ThenApply.Count > 0)
                {
                    errors.Add($"{path}:{list} names '{other}', which applies other policies itself: chains are one level deep.");
                }
            }

            if (policy.Rejection == RateLimitRejection.SlowDown && policy.PartitionBy != RateLimitPartitionBy.TokenDeviceCode)
            {
                errors.Add($"{path}:Rejection SlowDown is the device grant's answer (RFC 8628 3.5): only for PartitionBy TokenDeviceCode.");
            }

            // Device polls are left out of TokenCredential so that one device's interval is its limit: a chain that
            // counts token credentials without the device policy would leave them counted by address only.
            var chain = policy.AlsoApply.Concat(policy.ThenApply).Append(policyName)
                .Select(name => options.Policies.GetValueOrDefault(name)?.PartitionBy).ToList();
            if (chain.Contains(RateLimitPartitionBy.TokenCredential) && !chain.Contains(RateLimitPartitionBy.TokenDeviceCode))
            {
                errors.Add($"{path}: a chain with a TokenCredential policy must also apply a TokenDeviceCode policy, which counts device polls.");
            }
        }

        foreach (var proxy in options.TrustedProxies)
        {
            if (!TryParseNetwork(proxy, out _))
            {
                errors.Add($"RateLimiting:TrustedProxies: '{proxy}' is neither an IP address nor a CIDR network.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool TryParseNetwork(string value, out IPNetwork network)
    {
        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(value, out network);
    }

    private static bool IsHeaderSafeName(string name) =>
        name.Length is > 0 and <= 64 && name.All(character => char.IsAsciiLetterOrDigit(character) || character is '-' or '_');
}
