namespace TenantAtlas.GraphEmulator.Tenants;

/// <summary>
/// The tenant's notification message templates, from their own seeded stream, each with one or two localized
/// messages (every second template a second locale) from another stream, so the templates' ids stay as they were.
/// </summary>
internal static class NotificationTemplateGenerator
{
    private static readonly string[] Purposes =
        ["Noncompliant device", "Encryption required", "OS update required", "Password policy reminder"];

    private static readonly string[] BrandingOptions =
        ["includeCompanyLogo,includeCompanyName", "includeContactInformation", "none", "includeCompanyLogo"];

    public static List<NotificationMessageTemplate> Generate(TenantDefinition definition)
    {
        var random = SeededRandom.For(definition.Seed, SeededRandom.Stream.NotificationTemplates);
        var messages = SeededRandom.For(definition.Seed, SeededRandom.Stream.LocalizedMessages);
        var epoch = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var templates = new List<NotificationMessageTemplate>(definition.NotificationMessageTemplates);
        for (var index = 0; index < definition.NotificationMessageTemplates; index++)
        {
            var purpose = Purposes[index % Purposes.Length];
            var locale = index % 2 == 0 ? "en-us" : "de-de";
            // Drawn in the order of the generator before localized messages: the id, then the date.
            var id = random.NextGuid();
            var modified = epoch.AddDays(random.Next(0, 500)).AddSeconds(random.Next(0, 86_400));
            var template = new NotificationMessageTemplate(
                id, $"{purpose} {index + 1:D2}", locale, BrandingOptions[index % BrandingOptions.Length], modified)
            {
                RoleScopeTagIds = ["0"],
            };
            templates.Add(template with { LocalizedNotificationMessages = Messages(template, purpose, index, messages) });
        }

        return templates;
    }

    private static LocalizedNotificationMessage[] Messages(NotificationMessageTemplate template, string purpose, int index, Random random)
    {
        // Both ids are drawn for every template, so the second locale of one does not shift the next one's ids.
        var firstId = random.NextGuid();
        var secondId = random.NextGuid();
        var first = new LocalizedNotificationMessage(
            firstId, template.LastModifiedDateTime, template.DefaultLocale!, $"{purpose}: action needed",
            $"Your device does not meet the {purpose.ToLowerInvariant()} policy. Open Company Portal to fix it.", IsDefault: true);
        if (index % 2 == 0)
            return [first];
        var second = new LocalizedNotificationMessage(
            secondId, template.LastModifiedDateTime, "fr-fr", $"{purpose} : action requise",
            "Votre appareil n'est pas conforme. Ouvrez Portail d'entreprise pour le corriger.", IsDefault: false);
        return [first, second];
    }
}
