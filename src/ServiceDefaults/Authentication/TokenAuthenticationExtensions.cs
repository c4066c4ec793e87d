using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Bearer-JWT authentication for every service. Development and tests sign tokens with a symmetric key
/// (<c>Auth:SigningKey</c>); production validates tokens of an OIDC authority (<c>Auth:Authority</c>).
/// </summary>
public static class TokenAuthenticationExtensions
{
    public static TBuilder AddTokenAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var options = TokenOptions.From(builder.Configuration);

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                // Keep "sub", "name" and "roles" as issued instead of mapping them to long WS-* claim types.
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidAudience = options.Audience,
                    NameClaimType = TenantAtlasClaims.Name,
                    RoleClaimType = TenantAtlasClaims.Roles,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                if (options.Authority is not null)
                {
                    jwt.Authority = options.Authority;
                    jwt.RequireHttpsMetadata = options.Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                }
                else
                {
                    jwt.TokenValidationParameters.ValidIssuer = options.Issuer;
                    jwt.TokenValidationParameters.IssuerSigningKey = options.SigningCredentialsKey();
                }
            });
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>Who is calling (authentication), then whether they may (authorization); before the endpoints that need it.</summary>
    public static WebApplication UseTokenAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}

/// <summary>The <c>Auth</c> configuration section.</summary>
public sealed record TokenOptions(string? SigningKey, string? Authority, string Issuer, string Audience)
{
    public const string Section = "Auth";
    public const string DefaultIssuer = "tenantatlas-dev";
    public const string DefaultAudience = "tenantatlas";
    private const int MinimumKeyBytes = 32;

    public static TokenOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var options = new TokenOptions(
            NullIfBlank(section["SigningKey"]),
            NullIfBlank(section["Authority"]),
            NullIfBlank(section["Issuer"]) ?? DefaultIssuer,
            NullIfBlank(section["Audience"]) ?? DefaultAudience);

        if (options.SigningKey is null && options.Authority is null)
        {
            throw new InvalidOperationException(
                "Authentication is not configured: set Auth:SigningKey (development and tests, at least 32 bytes) " +
                "or Auth:Authority (an OIDC authority in production), e.g. the environment variable Auth__SigningKey.");
        }
        if (options.SigningKey is not null && Encoding.UTF8.GetByteCount(options.SigningKey) < MinimumKeyBytes)
        {
            throw new InvalidOperationException($"Auth:SigningKey must be at least {MinimumKeyBytes} bytes long.");
        }
        return options;
    }

    /// <summary>Development settings: tokens signed with <paramref name="signingKey"/>, default issuer and audience.</summary>
    public static TokenOptions ForSigningKey(string signingKey) => new(signingKey, null, DefaultIssuer, DefaultAudience);

    public SymmetricSecurityKey SigningCredentialsKey() =>
        new(Encoding.UTF8.GetBytes(SigningKey ?? throw new InvalidOperationException("Auth:SigningKey is not set.")));

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
