using Microsoft.Extensions.Options;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace SecureStack.Identity.Options;

/// <summary>Cross-field rules of the <c>Identity</c> section, every error reported at once.</summary>
public sealed class TokenServerOptionsValidator(IHostEnvironment environment) : IValidateOptions<TokenServerOptions>
{
    private static readonly HashSet<string> KnownGrantTypes =
    [
        GrantTypes.ClientCredentials, GrantTypes.AuthorizationCode, GrantTypes.RefreshToken,
        GrantTypes.DeviceCode, GrantTypes.Password,
    ];

    public ValidateOptionsResult Validate(string? name, TokenServerOptions options)
    {
        var errors = new List<string>();
        var section = TokenServerOptions.SectionName;

        if (options.Issuer is null && !environment.IsDevelopment())
        {
            errors.Add($"{section}:Issuer is missing: set it to the public origin clients use (e.g. https://auth.example.com/).");
        }
        else if (options.Issuer is { } issuer && (!issuer.IsAbsoluteUri || !string.IsNullOrEmpty(issuer.Query) || !string.IsNullOrEmpty(issuer.Fragment)))
        {
            errors.Add($"{section}:Issuer must be an absolute URI without query or fragment.");
        }

        if (!environment.IsDevelopment())
        {
            if (options.Keys.SigningCertificates.Count == 0)
            {
                errors.Add($"{section}:Keys:SigningCertificates is empty: configure a certificate (Path or Base64, and Password).");
            }

            if (options.Keys.EncryptionCertificates.Count == 0)
            {
                errors.Add($"{section}:Keys:EncryptionCertificates is empty: configure a certificate (Path or Base64, and Password).");
            }
        }

        ValidateCertificates(options.Keys.SigningCertificates, $"{section}:Keys:SigningCertificates", errors);
        ValidateCertificates(options.Keys.EncryptionCertificates, $"{section}:Keys:EncryptionCertificates", errors);

        foreach (var (clientId, client) in options.Clients)
        {
            ValidateClient($"{section}:Clients:{clientId}", client, options.AllowPasswordGrant, errors);
        }

        var passwordClients = options.Clients.Where(pair => pair.Value.GrantTypes.Contains(GrantTypes.Password)).ToList();
        if (passwordClients.Count > 1)
        {
            errors.Add($"{section}:Clients: only one demo client may use the password grant, found {string.Join(", ", passwordClients.Select(pair => pair.Key))}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void ValidateCertificates(List<CertificateOptions> certificates, string path, List<string> errors)
    {
        for (var index = 0; index < certificates.Count; index++)
        {
            var certificate = certificates[index];
            if (string.IsNullOrWhiteSpace(certificate.Path) == string.IsNullOrWhiteSpace(certificate.Base64))
            {
                errors.Add($"{path}:{index}: set exactly one of Path or Base64.");
            }
        }
    }

    private static void ValidateClient(string path, ClientOptions client, bool allowPasswordGrant, List<string> errors)
    {
        var isPublic = string.Equals(client.ClientType, ClientOptions.Public, StringComparison.Ordinal);
        if (!isPublic && !string.Equals(client.ClientType, ClientOptions.Confidential, StringComparison.Ordinal))
        {
            errors.Add($"{path}:ClientType must be '{ClientOptions.Confidential}' or '{ClientOptions.Public}'.");
        }

        if (!isPublic && (client.ClientSecret is null || client.ClientSecret.Length < 32))
        {
            errors.Add($"{path}:ClientSecret is missing or shorter than 32 characters: supply it as a secret parameter.");
        }

        if (isPublic && client.ClientSecret is not null)
        {
            errors.Add($"{path}:ClientSecret is set for a public client: remove it, a public client cannot keep it.");
        }

        if (client.GrantTypes.Count == 0 && !client.AllowIntrospection)
        {
            errors.Add($"{path}:GrantTypes is empty.");
        }

        foreach (var grantType in client.GrantTypes.Where(grantType => !KnownGrantTypes.Contains(grantType)))
        {
            errors.Add($"{path}:GrantTypes contains unknown grant type '{grantType}'.");
        }

        if (isPublic && client.GrantTypes.Contains(GrantTypes.ClientCredentials))
        {
            errors.Add($"{path}: a public client cannot use client_credentials.");
        }

        if (client.GrantTypes.Contains(GrantTypes.Password) && !allowPasswordGrant)
        {
            errors.Add($"{path}:GrantTypes contains 'password' but Identity:AllowPasswordGrant is false: remove the grant.");
        }

        if (client.GrantTypes.Contains(GrantTypes.AuthorizationCode) && client.RedirectUris.Count == 0)
        {
            errors.Add($"{path}:RedirectUris is empty for an authorization_code client.");
        }

        if (!isPublic || !client.AllowIntrospection)
        {
            return;
        }

        errors.Add($"{path}:AllowIntrospection needs a confidential client.");
    }
}

public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var section = DatabaseOptions.SectionName;
        if (!options.IsSqlite && !options.IsPostgres)
        {
            return ValidateOptionsResult.Fail(
                $"{section}:Provider '{options.Provider}' is not supported: set it to '{DatabaseOptions.Sqlite}' or '{DatabaseOptions.Postgres}'.");
        }

        return options.IsPostgres && string.IsNullOrWhiteSpace(options.ConnectionString)
            ? ValidateOptionsResult.Fail(
                $"{section}:Provider is '{DatabaseOptions.Postgres}' but there is no connection string: set "
                + $"ConnectionStrings:{DatabaseOptions.PostgresConnectionStringName} (the AppHost does) or {section}:ConnectionString.")
            : ValidateOptionsResult.Success;
    }
}

public sealed class KeyRingOptionsValidator : IValidateOptions<KeyRingOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyRingOptions options)
    {
        var errors = new List<string>();
        TokenServerOptionsValidator.ValidateCertificates(options.Certificates, $"{KeyRingOptions.SectionName}:Certificates", errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
