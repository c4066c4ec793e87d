using TenantAtlas.RunsService.Access;
using TenantAtlas.RunsService.Dispatch;
using TenantAtlas.RunsService.Notifications;
using TenantAtlas.RunsService.Runs;

namespace TenantAtlas.RunsService.Extensions;

public static class RunsDomainExtensions
{
    /// <summary>The run flow, the access model and the notification inbox.</summary>
    public static IHostApplicationBuilder AddRunsDomain(this IHostApplicationBuilder builder)
    {
        var platformAdmins = builder.Configuration.GetSection("Auth:PlatformAdmins").Get<string[]>() ?? [];
        builder.Services.AddSingleton(new PlatformAdmins(platformAdmins));
        builder.Services.AddOptions<DispatchOptions>().Bind(builder.Configuration.GetSection(DispatchOptions.Section))
            .Validate(o => o.Deadline > TimeSpan.Zero && o.BatchSize > 0, "Dispatch:Deadline and Dispatch:BatchSize must be positive.")
            .Validate(o => o.LostJobCheckInterval > TimeSpan.Zero && o.RepublishAfter > TimeSpan.Zero,
                "Dispatch:LostJobCheckInterval and Dispatch:RepublishAfter must be positive.")
            .Validate(o => o.ImmediateGrace >= TimeSpan.Zero && o.ImmediateGrace < o.Deadline,
                "Dispatch:ImmediateGrace must be at least zero and shorter than Dispatch:Deadline.")
            .ValidateOnStart();
        builder.Services.AddSingleton<RunStore>();
        builder.Services.AddScoped<WorkspaceAccess>();
        builder.Services.AddScoped<AccessDirectory>();
        builder.Services.AddScoped<OperationRunService>();
        builder.Services.AddScoped<NotificationInbox>();
        return builder;
    }
}
