using System.Diagnostics.Metrics;
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
        if (options.ValidatedTokenCacheSize > 0)
        {
            builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
                .Configure<IMeterFactory>((jwt, meters) => CacheValidatedTokens(jwt, options, meters));
        }
        builder.Services.AddAuthorization();
        return builder;
    }

    /// <summary>
    /// Signature validation and claim parsing of the same token on every call is most of authentication's cost; the
    /// handlers (by default one JsonWebTokenHandler, configured above) are wrapped to remember validated tokens.
    /// </summary>
    private static void CacheValidatedTokens(JwtBearerOptions jwt, TokenOptions options, IMeterFactory meters)
    {
        for (var i = 0; i < jwt.TokenHandlers.Count; i++)
        {
            jwt.TokenHandlers[i] = new ValidatedTokenCache(
                jwt.TokenHandlers[i], options.ValidatedTokenCacheSize, options.ValidatedTokenCacheLifetime, meters);
        }
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

    /// <summary>At most this many validated tokens are remembered (<c>Auth:ValidatedTokenCacheSize</c>); 0 turns the cache off.</summary>
    public int ValidatedTokenCacheSize { get; init; } = 10_000;

    /// <summary>
    /// How long a validated token is remembered at most (<c>Auth:ValidatedTokenCacheLifetime</c>), never past its expiry:
    /// a signing key withdrawn from the authority stops being honoured within this time.
    /// </summary>
    public TimeSpan ValidatedTokenCacheLifetime { get; init; } = TimeSpan.FromMinutes(5);

    public static TokenOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var options = new TokenOptions(
            NullIfBlank(section["SigningKey"]),
            NullIfBlank(section["Authority"]),
            NullIfBlank(section["Issuer"]) ?? DefaultIssuer,
            NullIfBlank(section["Audience"]) ?? DefaultAudience);
        options = options with
        {
            ValidatedTokenCacheSize = section.GetValue("ValidatedTokenCacheSize", options.ValidatedTokenCacheSize),
            ValidatedTokenCacheLifetime = section.GetValue("ValidatedTokenCacheLifetime", options.ValidatedTokenCacheLifetime),
        };

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
        if (options.ValidatedTokenCacheSize < 0)
        {
            throw new InvalidOperationException("Auth:ValidatedTokenCacheSize must be 0 (no cache) or more.");
        }
        if (options.ValidatedTokenCacheLifetime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                "Auth:ValidatedTokenCacheLifetime must be a positive time span, e.g. 00:05:00 (set Auth:ValidatedTokenCacheSize to 0 to turn the cache off).");
        }
        return options;
    }

    /// <summary>Development settings: tokens signed with <paramref name="signingKey"/>, default issuer and audience.</summary>
    public static TokenOptions ForSigningKey(string signingKey) => new(signingKey, null, DefaultIssuer, DefaultAudience);

    public SymmetricSecurityKey SigningCredentialsKey() =>
        new(Encoding.UTF8.GetBytes(SigningKey ?? throw new InvalidOperationException("Auth:SigningKey is not set.")));

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
