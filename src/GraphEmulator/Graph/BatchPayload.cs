using System.Text.Json;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>The body of <c>POST /v1.0/$batch</c>: <c>{"requests":[{"id","method","url","headers"?,"body"?}]}</c>.</summary>
public sealed record BatchRequestBody(IReadOnlyList<BatchRequestItem>? Requests);

/// <summary>
/// One sub-request; <c>url</c> is relative to the version root (<c>/deviceManagement/...</c> or
/// <c>deviceManagement/...</c>). <c>dependsOn</c> is accepted: sub-requests run one after another in order anyway.
/// </summary>
public sealed record BatchRequestItem(
    string? Id,
    string? Method,
    string? Url,
    IReadOnlyDictionary<string, string>? Headers,
    JsonElement? Body,
    IReadOnlyList<string>? DependsOn);

/// <summary>The body of a <c>$batch</c> response: <c>{"responses":[{"id","status","headers","body"}]}</c>.</summary>
public sealed record BatchResponseBody(IReadOnlyList<BatchResponseItem> Responses);

/// <summary>One sub-response: its own status (a throttled one is 429 with <c>Retry-After</c> in its headers).</summary>
public sealed record BatchResponseItem(string Id, int Status, IReadOnlyDictionary<string, string> Headers, JsonElement? Body);
