namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>The tenant's notification message templates, from their own seeded stream.</summary>
internal static class NotificationTemplateGenerator
{
    private static readonly string[] Purposes =
        ["Noncompliant device", "Encryption required", "OS update required", "Password policy reminder"];

    private static readonly string[] BrandingOptions =
        ["includeCompanyLogo,includeCompanyName", "includeContactInformation", "none", "includeCompanyLogo"];

    public static List<NotificationMessageTemplate> Generate(TenantDefinition definition)
    {
        var random = SeededRandom.For(definition.Seed, SeededRandom.Stream.NotificationTemplates);
        var epoch = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        return [.. Enumerable.Range(0, definition.NotificationMessageTemplates).Select(index => new NotificationMessageTemplate(
            random.NextGuid(),
            $"{Purposes[index % Purposes.Length]} {index + 1:D2}",
            index % 2 == 0 ? "en-us" : "de-de",
            BrandingOptions[index % BrandingOptions.Length],
            epoch.AddDays(random.Next(0, 500)).AddSeconds(random.Next(0, 86_400))))];
    }
}
