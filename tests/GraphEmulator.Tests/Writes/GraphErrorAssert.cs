using System.Net;
using System.Text.Json;

namespace TenantAtlas.GraphEmulator.Tests.Writes;

/// <summary>Checks Graph's error envelope: status, <c>error.code</c>, a message naming the property, and the inner error's ids.</summary>
internal static class GraphErrorAssert
{
    public static async Task BadRequestNamingAsync(HttpResponseMessage response, string property)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400, got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("BadRequest", error.GetProperty("code").GetString());
        Assert.Contains($"'{property}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var inner = error.GetProperty("innerError");
        Assert.Equal(response.Headers.GetValues("request-id").Single(), inner.GetProperty("request-id").GetString());
        Assert.True(inner.TryGetProperty("date", out _));
    }
}
