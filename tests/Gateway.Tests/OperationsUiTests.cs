extern alias gateway;

using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using GatewayProgram = gateway::Program;

namespace TenantAtlas.Gateway.Tests;

/// <summary>
/// The Operations UI as a browser loads it: index.html and the ES modules it imports, transitively. A module the
/// gateway does not serve, or serves with a type other than JavaScript (browsers refuse module scripts of any other
/// type, nosniff or not), breaks the whole UI; so would inline script or style under the strict CSP. Static files
/// need no service behind the gateway, so none is started.
/// </summary>
public sealed partial class OperationsUiTests : IAsyncLifetime
{
    private readonly WebApplicationFactory<GatewayProgram> gatewayHost = new WebApplicationFactory<GatewayProgram>()
        .WithWebHostBuilder(web => web.UseSetting("Auth:SigningKey", GatewayFixture.SigningKey));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await gatewayHost.DisposeAsync();

    [Fact]
    public async Task IndexAndEveryModuleItImports_AreServed_AsJavaScript_UnderTheStrictPolicy()
    {
        var browser = gatewayHost.CreateClient();
        using var page = await browser.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        AssertStrictPolicy(page);
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotMatch(InlineStyle(), html);
        var entry = Assert.Single(ModuleScript().Matches(html)).Groups["src"].Value;

        var pending = new Queue<Uri>([new Uri(page.RequestMessage!.RequestUri!, entry)]);
        var served = new HashSet<Uri>();
        while (pending.TryDequeue(out var module))
        {
            if (!served.Add(module))
            {
                continue;
            }
            using var response = await browser.GetAsync(module);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{module.AbsolutePath}: {response.StatusCode}");
            Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
            AssertStrictPolicy(response);
            foreach (Match import in RelativeImport().Matches(await response.Content.ReadAsStringAsync()))
            {
                pending.Enqueue(new Uri(module, import.Groups["path"].Value));
            }
        }

        // The entry point, the DOM-free modules and the views: a split that stopped importing them would show here.
        Assert.Contains(served, uri => uri.AbsolutePath == "/modules/scheduler.mjs");
        Assert.Contains(served, uri => uri.AbsolutePath == "/views/runs.mjs");
    }

    private static void AssertStrictPolicy(HttpResponseMessage response)
    {
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("style-src 'self';", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
    }

    [GeneratedRegex("""<script type="module" src="(?<src>[^"]+)"></script>""")]
    private static partial Regex ModuleScript();

    /// <summary>A script element without a src: its body would be inline script.</summary>
    [GeneratedRegex("""<script(?![^>]*\bsrc=)[^>]*>""")]
    private static partial Regex InlineScript();

    [GeneratedRegex("""<style\b|\sstyle=""")]
    private static partial Regex InlineStyle();

    /// <summary>Static imports and re-exports of this origin's modules: <c>from './x.mjs'</c>, <c>import '../y.mjs'</c>.</summary>
    [GeneratedRegex("""(?:\bfrom|\bimport)\s*'(?<path>\.{1,2}/[^']+)'""")]
    private static partial Regex RelativeImport();
}
