using TenantAtlas.RunsService.DeadLetters;

namespace TenantAtlas.RunsService.Extensions;

public static class DeadLetterExtensions
{
    /// <summary>The platform administrators' dead-letter RPCs, their health check and gauge.</summary>
    public static IHostApplicationBuilder AddDeadLetters(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeadLetterOptions>().Bind(builder.Configuration.GetSection(DeadLetterOptions.Section))
            .Validate(o => o.DegradedAbove >= 0, "DeadLetters:DegradedAbove must not be negative.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DeadLetterStore>();
        builder.Services.AddHealthChecks().AddCheck<DeadLetterHealthCheck>("dead-letters");
        return builder;
    }
}
