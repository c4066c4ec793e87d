using System.Net;
using System.Text.Json;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using TenantAtlas.GraphEmulator.Tenants;
using LocalizedNotificationMessage = Microsoft.Graph.Models.LocalizedNotificationMessage;
using NotificationMessageTemplate = Microsoft.Graph.Models.NotificationMessageTemplate;

namespace TenantAtlas.GraphEmulator.Tests.Writes;

/// <summary>v1.0 notification message templates and their localized messages, written through the real SDK.</summary>
public sealed class NotificationMessageTemplateWriteTests(GraphEmulatorFactory emulator) : IClassFixture<GraphEmulatorFactory>
{
    private const string Templates = "/v1.0/deviceManagement/notificationMessageTemplates";

    [Fact]
    public async Task Create_ThroughTheSdk_Is201_WithServerOwnedIdAndDate_IsListed_AndLogged()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { NotificationMessageTemplates = 1 });
        using var client = emulator.CreateGraphClient(tenant);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var created = await client.DeviceManagement.NotificationMessageTemplates.PostAsync(new NotificationMessageTemplate
        {
            DisplayName = "Restored notice",
            DefaultLocale = "en-us",
            BrandingOptions = NotificationTemplateBrandingOptions.IncludeCompanyLogo | NotificationTemplateBrandingOptions.IncludeCompanyName,
            RoleScopeTagIds = ["0", "5"],
        });
        var listed = (await client.DeviceManagement.NotificationMessageTemplates.GetAsync())!.Value!;

        Assert.True(Guid.TryParse(created!.Id, out _));
        Assert.True(created.LastModifiedDateTime >= before);
        Assert.Equal(NotificationTemplateBrandingOptions.IncludeCompanyLogo | NotificationTemplateBrandingOptions.IncludeCompanyName, created.BrandingOptions);
        Assert.Equal(["0", "5"], created.RoleScopeTagIds!);
        Assert.Equal([tenant.Summary.NotificationMessageTemplateIds[0], created.Id], listed.Select(t => t.Id));
        Assert.Equal("Restored notice", (await client.DeviceManagement.NotificationMessageTemplates[created.Id].GetAsync())!.DisplayName);
        var write = Assert.Single((await emulator.GetRequestCountsAsync(tenant.TenantId)).WriteRequests);
        Assert.Equal(("notificationMessageTemplates", "create", created.Id, 201, true), (write.Collection, write.Operation, write.PolicyId, write.Status, write.Stored));
    }

    [Fact]
    public async Task LocalizedMessages_ArePosted_ThenReadByExpandOrTheirCollection_AndIsDefaultMovesToTheNewest()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { NotificationMessageTemplates = 0 });
        using var client = emulator.CreateGraphClient(tenant);
        var template = await client.DeviceManagement.NotificationMessageTemplates.PostAsync(new NotificationMessageTemplate { DisplayName = "t", DefaultLocale = "en-us" });
        var messages = client.DeviceManagement.NotificationMessageTemplates[template!.Id].LocalizedNotificationMessages;

        var english = await messages.PostAsync(new LocalizedNotificationMessage { Locale = "en-us", Subject = "Fix it", MessageTemplate = "Your device...", IsDefault = true });
        var german = await messages.PostAsync(new LocalizedNotificationMessage { Locale = "de-de", Subject = "Beheben", MessageTemplate = "Ihr Gerät...", IsDefault = true });
        var expanded = await client.DeviceManagement.NotificationMessageTemplates[template.Id].GetAsync(r => r.QueryParameters.Expand = ["localizedNotificationMessages"]);
        var plain = await client.DeviceManagement.NotificationMessageTemplates[template.Id].GetAsync();
        var collection = (await messages.GetAsync())!.Value!;

        Assert.True(Guid.TryParse(english!.Id, out _));
        Assert.Equal("Beheben", german!.Subject);
        Assert.Equal([("en-us", false), ("de-de", true)], expanded!.LocalizedNotificationMessages!.Select(m => (m.Locale, m.IsDefault!.Value)));
        Assert.Null(plain!.LocalizedNotificationMessages);
        Assert.Equal([english.Id, german.Id], collection.Select(m => m.Id));
        var writes = (await emulator.GetRequestCountsAsync(tenant.TenantId)).WriteRequests;
        Assert.Equal(["create", "localizedNotificationMessages", "localizedNotificationMessages"], writes.Select(w => w.Operation));
        Assert.All(writes, w => Assert.Equal(template.Id, w.PolicyId));
    }

    [Theory]
    [InlineData("""{"defaultLocale":"en-us"}""", "displayName")]
    [InlineData("""{"displayName":" "}""", "displayName")]
    [InlineData("""{"displayName":"t","brandingOptions":"includeEverything"}""", "brandingOptions")]
    [InlineData("""{"displayName":"t","roleScopeTagIds":"0"}""", "roleScopeTagIds")]
    [InlineData("""{"displayName":"t","subject":"not a template property"}""", "subject")]
    [InlineData("""{"displayName":"t","localizedNotificationMessages":[{"locale":"en-us","subject":"s","messageTemplate":"m"}]}""", "localizedNotificationMessages")]
    [InlineData("""{"@odata.type":"#microsoft.graph.deviceConfiguration","displayName":"t"}""", "@odata.type")]
    public async Task Create_WithAnInvalidBody_Is400NamingTheProperty_AndStoresNothing(string body, string property)
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { NotificationMessageTemplates = 0 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var response = await PolicyCreateTests.PostJsonAsync(http, Templates, body);

        await GraphErrorAssert.BadRequestNamingAsync(response, property);
        Assert.Empty((await emulator.GetSummaryAsync(tenant.TenantId)).NotificationMessageTemplateIds);
        Assert.Equal(0, (await emulator.GetRequestCountsAsync(tenant.TenantId)).Writes);
    }

    [Fact]
    public async Task Create_AcceptsAndIgnoresIdAndDate_AllowsDuplicateNames_AndAMessageNeedsItsTexts()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { NotificationMessageTemplates = 0 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);
        const string Body = """{"@odata.type":"#microsoft.graph.notificationMessageTemplate","id":"7b7e1f0e-0000-4000-8000-000000000001","lastModifiedDateTime":"2001-01-01T00:00:00Z","displayName":"Same name"}""";

        using var first = await PolicyCreateTests.PostJsonAsync(http, Templates, Body);
        using var second = await PolicyCreateTests.PostJsonAsync(http, Templates, Body);
        using var created = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        var id = created.RootElement.GetProperty("id").GetString();
        using var noSubject = await PolicyCreateTests.PostJsonAsync(http, $"{Templates}/{id}/localizedNotificationMessages",
            """{"locale":"en-us","messageTemplate":"m"}""");
        using var unknownTemplate = await PolicyCreateTests.PostJsonAsync(http, $"{Templates}/{Guid.NewGuid()}/localizedNotificationMessages",
            """{"locale":"en-us","subject":"s","messageTemplate":"m"}""");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.NotEqual("7b7e1f0e-0000-4000-8000-000000000001", id);
        Assert.True(created.RootElement.GetProperty("lastModifiedDateTime").GetDateTime() > new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(2, (await emulator.GetSummaryAsync(tenant.TenantId)).NotificationMessageTemplateIds.Count);
        await GraphErrorAssert.BadRequestNamingAsync(noSubject, "subject");
        Assert.Equal(HttpStatusCode.NotFound, unknownTemplate.StatusCode);
    }

    [Fact]
    public async Task Delete_RemovesTheTemplate_AndAnUnknownIdIs404()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { NotificationMessageTemplates = 2 });
        using var client = emulator.CreateGraphClient(tenant);
        var id = tenant.Summary.NotificationMessageTemplateIds[0];

        await client.DeviceManagement.NotificationMessageTemplates[id].DeleteAsync();
        var again = await Assert.ThrowsAsync<ODataError>(() => client.DeviceManagement.NotificationMessageTemplates[id].DeleteAsync());
        var gone = await Assert.ThrowsAsync<ODataError>(() => client.DeviceManagement.NotificationMessageTemplates[id].GetAsync());

        Assert.Equal(404, again.ResponseStatusCode);
        Assert.Equal(404, gone.ResponseStatusCode);
        Assert.Equal([tenant.Summary.NotificationMessageTemplateIds[1]], (await emulator.GetSummaryAsync(tenant.TenantId)).NotificationMessageTemplateIds);
        Assert.Equal(1, (await emulator.GetRequestCountsAsync(tenant.TenantId)).Writes);
    }

    [Fact]
    public async Task ADroppedAnswer_ToATemplateCreate_LeavesItStored()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { NotificationMessageTemplates = 0 });
        await emulator.SetFaultsAsync(tenant.TenantId, new FaultSettings(
            DropResponseAfterWrite: new WriteResponseFault(1, Collection: "notificationMessageTemplates", Operation: "create")));
        using var client = emulator.CreateGraphClient(tenant);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => client.DeviceManagement.NotificationMessageTemplates.PostAsync(
            new NotificationMessageTemplate { DisplayName = "Uncertain template" }));
        var listed = (await client.DeviceManagement.NotificationMessageTemplates.GetAsync())!.Value!;

        Assert.False(failure is Microsoft.Kiota.Abstractions.ApiException, $"Expected a transport failure, got {failure}");
        var landed = Assert.Single(listed);
        Assert.Equal("Uncertain template", landed.DisplayName);
        var write = Assert.Single((await emulator.GetRequestCountsAsync(tenant.TenantId)).WriteRequests);
        Assert.True(write.Stored && write.ResponseDropped);
        Assert.Equal(landed.Id, write.PolicyId);
    }

    [Fact]
    public async Task Patch_OfATemplate_IsNotServed_AndTheAnswerNamesWhatIs()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { NotificationMessageTemplates = 1 });
        using var http = await emulator.CreateGraphHttpClientAsync(tenant);

        using var response = await PolicyUpdateTests.PatchJsonAsync(http, $"{Templates}/{tenant.Summary.NotificationMessageTemplateIds[0]}", """{"displayName":"renamed"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("notificationMessageTemplates (GET list and item with $expand=localizedNotificationMessages, POST, DELETE",
            await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeneratedTemplates_HaveOneOrTwoLocalizedMessages_TheDefaultInTheirOwnLocale()
    {
        var tenant = await emulator.DefineTenantAsync(new TenantDefinition { NotificationMessageTemplates = 2 });
        using var client = emulator.CreateGraphClient(tenant);

        var templates = (await client.DeviceManagement.NotificationMessageTemplates.GetAsync(r => r.QueryParameters.Expand = ["localizedNotificationMessages"]))!.Value!;

        Assert.Equal(tenant.Summary.NotificationMessageTemplateIds, templates.Select(t => t.Id));
        var one = Assert.Single(templates[0].LocalizedNotificationMessages!);
        Assert.Equal((templates[0].DefaultLocale, true), (one.Locale, one.IsDefault!.Value));
        Assert.Equal([(templates[1].DefaultLocale, true), ("fr-fr", false)],
            templates[1].LocalizedNotificationMessages!.Select(m => (m.Locale, m.IsDefault!.Value)));
    }
}
