using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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
                jwt.Events = new JwtBearerEvents { OnChallenge = AnswerGrpcChallenge };
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

    /// <summary>
    /// A gRPC call without a valid token gets a gRPC answer (UNAUTHENTICATED with a message saying what to send, and the
    /// server-timing every response carries) instead of a bare HTTP 401 that clients can only guess a status from.
    /// Other requests keep the HTTP 401 (the gateway words it as JSON).
    /// </summary>
    private static Task AnswerGrpcChallenge(JwtBearerChallengeContext context)
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Task.CompletedTask;
        }
        context.HandleResponse();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers.WWWAuthenticate = "Bearer";
        // Trailers-only response: the status travels in the headers. No handler ran, hence 0.
        response.Headers["grpc-status"] = "16";
        response.Headers["grpc-message"] = context.AuthenticateFailure is null
            ? "A bearer token is required: send the metadata 'authorization: Bearer <token>'."
            : "The bearer token was refused: it is expired, malformed, not signed by a trusted key, or not for this audience.";
        response.Headers["server-timing"] = "app;dur=0";
        return Task.CompletedTask;
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
