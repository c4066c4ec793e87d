using System.Net;
using System.Text.Json;
using TenantAtlas.Testing;

namespace TenantAtlas.Gateway.Tests;

/// <summary>The suite's OpenAPI document and its UI, served by the gateway from the services' own documents.</summary>
public sealed class OpenApiTests(OpenApiFixture fixture) : IClassFixture<OpenApiFixture>
{
    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await fixture.Gateway().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static string Words(string? text) =>
        string.Join(' ', (text ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void Contracts_CompileEveryProto()
    {
        var protos = Path.Combine(ServiceProcess.RepositoryRoot(), "protos");
        var sources = Directory.GetFiles(protos, "*.proto", SearchOption.AllDirectories)
            .Select(file => Path.GetRelativePath(protos, file).Replace(Path.DirectorySeparatorChar, '/'));

        Assert.Equal(sources.Order(), ContractHttpRules.Files().Select(file => file.Name).Order());
    }

    [Fact]
    public async Task Document_HasEveryHttpRuleOfEveryProto_DescribedByItsProtoComment()
    {
        var bindings = ContractHttpRules.Bindings();
        var paths = (await DocumentAsync()).GetProperty("paths");

        var problems = new List<string>();
        foreach (var binding in bindings)
        {
            var route = $"{binding.Method.ToUpperInvariant()} {binding.OpenApiPath} ({binding.Rpc})";
            if (!paths.TryGetProperty(binding.OpenApiPath, out var item) || !item.TryGetProperty(binding.Method, out var operation))
            {
                problems.Add($"{route} is not in the document.");
                continue;
            }
            var summary = operation.TryGetProperty("summary", out var text) ? text.GetString() : null;
            if (Words(summary) != Words(binding.Comment))
            {
                problems.Add($"{route} is described as \"{summary}\", not by its proto comment \"{binding.Comment}\".");
            }
        }
        var documented = paths.EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name} {path.Name}"));

        Assert.NotEmpty(bindings);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.Equal(bindings.Select(b => $"{b.Method} {b.OpenApiPath}").Order(), documented.Order());
    }

    [Fact]
    public async Task Document_DescribesEveryMessage_ByItsProtoComment()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");
        var messages = ContractHttpRules.Files()
            .SelectMany(file => file.MessageTypes.Select(message => (file, message.Name)))
            .Where(m => schemas.TryGetProperty(m.Name, out _))
            .ToList();

        Assert.NotEmpty(messages);
        Assert.All(messages, m => Assert.Equal(
            Words(ContractHttpRules.ProtoComment(m.file, $"message {m.Name} {{")),
            Words(schemas.GetProperty(m.Name).GetProperty("description").GetString())));
    }

    [Fact]
    public async Task Document_RequiresTheBearerToken()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").EnumerateObject().Single();

        Assert.Equal(("http", "bearer"), (scheme.Value.GetProperty("type").GetString(), scheme.Value.GetProperty("scheme").GetString()));
        Assert.True(document.GetProperty("security")[0].TryGetProperty(scheme.Name, out _));
    }

    [Fact]
    public async Task Ui_IsSwaggerUiOverTheDocument_UnderItsOwnCsp()
    {
        using var client = fixture.Gateway();
        using var page = await client.GetAsync("/openapi");
        var html = await page.Content.ReadAsStringAsync();
        using var script = await client.GetAsync("/openapi/index.js");
        using var operationsUi = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<div id=\"swagger-ui\">", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("/openapi/v1.json", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Swagger UI's inline styles are allowed on its pages only; inline scripts nowhere.
        var uiPolicy = page.Headers.GetValues("Content-Security-Policy").Single();
        var operationsUiPolicy = operationsUi.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("style-src 'self' 'unsafe-inline';", uiPolicy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", uiPolicy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", uiPolicy, StringComparison.Ordinal);
        Assert.Contains("style-src 'self';", operationsUiPolicy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", operationsUiPolicy, StringComparison.Ordinal);
    }
}
