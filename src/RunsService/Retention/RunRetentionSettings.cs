namespace TenantAtlas.RunsService.Retention;

/// <summary>A workspace's run retention: how many days completed runs are kept (Owner sets it).</summary>
public sealed class RunRetentionSettings;
