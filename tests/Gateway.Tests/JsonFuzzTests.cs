using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using TenantAtlas.Testing.Fuzzing;
using static TenantAtlas.Gateway.Tests.GatewayFixture;

namespace TenantAtlas.Gateway.Tests;

/// <summary>The gateway with no practical rate limit: the fuzz test sends a few hundred requests as one user.</summary>
public sealed class UnthrottledGatewayFixture : GatewayFixture
{
    protected override int PerUserRateLimit => 1_000_000;
}

/// <summary>
/// Every REST route the contracts declare (google.api.http), through the gateway, fed broken JSON bodies (truncated,
/// wrong types, 1,000 levels deep, invalid UTF-8, 10 MB) and broken path and query values: 400 or 413 with the JSON
/// error body for a body, never a 5xx. Issue 12.
/// </summary>
public sealed class JsonFuzzTests(UnthrottledGatewayFixture fixture) : IClassFixture<UnthrottledGatewayFixture>
{
    private const int Depth = 1000;

    [Fact]
    public async Task EveryRoute_AnswersBrokenJson_With400Or413_AndTheJsonErrorBody()
    {
        var (workspaceId, runId) = await fixture.ScenarioAsync("fuzz-owner", "fuzz-reader");
        var ids = new Dictionary<string, string> { ["workspaceId"] = workspaceId, ["runId"] = runId, ["tenantId"] = Guid.NewGuid().ToString() };
        using var client = fixture.Gateway(Token("fuzz-owner"));
        var problems = new List<string>();

        foreach (var binding in ContractHttpRules.Bindings())
        {
            var method = Method(binding.Rpc);
            var path = System.Text.RegularExpressions.Regex.Replace(binding.OpenApiPath, @"\{(\w+)\}", m => ids.GetValueOrDefault(m.Groups[1].Value) ?? Guid.NewGuid().ToString());
            // The fixture runs no InventoryService, BackupService nor RestoreService: their routes may only say "unavailable" once the gateway let the request through.
            int[] refusals = method.Service.FullName.Contains(".inventory.", StringComparison.Ordinal) || method.Service.FullName.Contains(".backup.", StringComparison.Ordinal)
                || method.Service.FullName.Contains(".restore.", StringComparison.Ordinal)
                ? [400, 413, 503] : [400, 413];
            var hasBody = binding.Method is "post" or "put" or "patch";
            foreach (var (name, body) in Bodies(method.InputType, GrpcFuzzer.Seed).Where(b => hasBody || b.Name == "10 MB body with a length"))
            {
                using var request = new HttpRequestMessage(new HttpMethod(binding.Method.ToUpperInvariant()), path) { Content = body };
                // As a well-behaved client of large uploads does: the server may refuse before the body is sent, and otherwise
                // closes the connection on a body over its limit while the client is still writing it.
                request.Headers.ExpectContinue = name.StartsWith("10 MB", StringComparison.Ordinal);
                await CheckAsync(client, request, $"{binding.Method} {path}, {name}", refusals, problems,
                    closedMidBody: name == "10 MB body chunked");
            }
            var brokenPath = binding.OpenApiPath.Contains('{', StringComparison.Ordinal)
                ? System.Text.RegularExpressions.Regex.Replace(binding.OpenApiPath, @"\{(\w+)\}", "%FF%FE%C3%28")
                : null;
            if (brokenPath is not null && !hasBody)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, brokenPath);
                await CheckAsync(client, request, $"get {brokenPath} (invalid UTF-8 in the path)", refusals, problems);
            }
            if (!hasBody)
            {
                foreach (var field in method.InputType.Fields.InFieldNumberOrder().Where(f => !ids.ContainsKey(f.JsonName) && f.FieldType != FieldType.Message))
                {
                    foreach (var value in new[] { "%FF%FE%C3%28", "not-a-number", "99999999999999999999999" })
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?{field.JsonName}={value}");
                        // A broken query value may still be a valid (if useless) filter: any 2xx/4xx, never a 5xx.
                        await CheckAsync(client, request, $"get {path}?{field.JsonName}={value}", refusals.Contains(503) ? [503] : null, problems);
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>
    /// Records a problem unless the answer is one of <paramref name="expected"/> (any non-5xx when null) with the JSON error
    /// body. A chunked body over the limit may also be cut off by the server closing the connection while the client still
    /// writes (<paramref name="closedMidBody"/>): HTTP/1.1 has no other way to stop an upload it already accepted.
    /// </summary>
    private static async Task CheckAsync(HttpClient client, HttpRequestMessage request, string what, int[]? expected, List<string> problems,
        bool closedMidBody = false)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request);
        }
        catch (HttpRequestException) when (closedMidBody)
        {
            return;
        }
        catch (HttpRequestException e)
        {
            problems.Add($"{what} (seed {GrpcFuzzer.Seed}): no answer ({e.Message} {e.InnerException?.Message})");
            return;
        }
        using var _ = response;
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (expected is not null ? !expected.Contains(status) : status >= 500)
        {
            problems.Add($"{what} (seed {GrpcFuzzer.Seed}): {status} {Shorten(text)}");
        }
        else if (status >= 400 && !IsErrorBody(response, text))
        {
            problems.Add($"{what} (seed {GrpcFuzzer.Seed}): {status} without the JSON error body: '{Shorten(text)}'");
        }
    }

    private static bool IsErrorBody(HttpResponseMessage response, string text)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return false;
        }
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number
                && json.RootElement.TryGetProperty("message", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Broken JSON bodies for a request of <paramref name="message"/>, starting from a valid one.</summary>
    private static IEnumerable<(string Name, HttpContent Body)> Bodies(MessageDescriptor message, int seed)
    {
        var random = new Random(seed);
        var valid = JsonFormatter.Default.Format(message.Parser.ParseFrom(ProtobufMutations.Sample(message, new Dictionary<string, string>())));
        foreach (var at in new[] { 1, valid.Length / 2, valid.Length - 1, random.Next(1, valid.Length) }.Distinct().Where(n => n > 0 && n < valid.Length))
        {
            yield return ($"truncated to {at} of {valid.Length} characters", Json(valid[..at]));
        }
        foreach (var top in new[] { "[]", "\"text\"", "12", "true", "null" })
        {
            yield return ($"a body of {top}", Json(top));
        }
        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            var wrong = field.IsRepeated || field.FieldType == FieldType.String ? "{\"a\":1}" : "\"not-a-number\"";
            yield return ($"{field.JsonName} as {wrong}", Json($"{{\"{field.JsonName}\":{wrong}}}"));
            yield return ($"{field.JsonName} nested {Depth} deep", Json($"{{\"{field.JsonName}\":{new string('[', Depth)}{new string(']', Depth)}}}"));
            yield return ($"invalid UTF-8 in {field.JsonName}",
                Bytes([.. Encoding.UTF8.GetBytes($"{{\"{field.JsonName}\":\""), 0xff, 0xfe, 0xc3, 0x28, .. "\"}"u8]));
        }
        yield return ($"an unknown field nested {Depth} deep", Json(string.Concat(Enumerable.Repeat("{\"x\":", Depth)) + "1" + new string('}', Depth)));
        var huge = $"{{\"x\":\"{new string('a', ProtobufMutations.HugeBytes)}\"}}";
        yield return ("10 MB body with a length", Json(huge));
        yield return ("10 MB body chunked", new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(huge))) { Headers = { { "Content-Type", "application/json" } } });
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static ByteArrayContent Bytes(byte[] bytes) => new(bytes) { Headers = { { "Content-Type", "application/json" } } };

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static MethodDescriptor Method(string fullName) =>
        ContractHttpRules.Files().SelectMany(f => f.Services).SelectMany(s => s.Methods).Single(m => m.FullName == fullName);
}

/// <summary>A body whose length the client cannot know in advance, so it is sent chunked.</summary>
internal sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
{
    public override bool CanSeek => false;
}
