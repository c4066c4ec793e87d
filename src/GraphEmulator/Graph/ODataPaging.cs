using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace TenantAtlas.GraphEmulator.Graph;

/// <summary>An OData collection page: <c>{"@odata.context":"...","@odata.nextLink":"...","value":[...]}</c>.</summary>
public sealed record ODataPage<T>(
    [property: JsonPropertyName("@odata.context")] string Context,
    [property: JsonPropertyName("@odata.nextLink")] string? NextLink,
    IReadOnlyList<T> Value);

/// <summary>Server-driven paging: <c>$top</c> sets the page size (max 999), <c>$skiptoken</c> the position.</summary>
internal static class ODataPaging
{
    public const int MaxTop = 999;
    private const string SkipTokenPrefix = "skip=";

    /// <summary>Reads <c>$top</c> and <c>$skiptoken</c>; returns an error message when either is malformed.</summary>
    public static string? TryReadPage(HttpRequest request, int defaultPageSize, out PageRequest page)
    {
        page = new PageRequest(0, defaultPageSize, Top: null);
        int? top = null;
        if (request.Query["$top"] is [{ } topText])
        {
            if (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed < 1)
                return $"Invalid $top value '{topText}': expected a positive integer.";
            top = Math.Min(parsed, MaxTop);
        }

        var offset = 0;
        if (request.Query["$skiptoken"] is [{ } skipToken] && !TryDecodeSkipToken(skipToken, out offset))
            return $"Invalid $skiptoken value '{skipToken}'.";

        page = new PageRequest(offset, top ?? defaultPageSize, top);
        return null;
    }

    /// <summary>The absolute link to the page after <paramref name="page"/>, or null when it was the last.</summary>
    public static string? NextLink(HttpRequest request, PageRequest page, int totalCount)
    {
        var next = page.Offset + page.Size;
        if (next >= totalCount)
            return null;
        var top = page.Top is { } t ? $"$top={t.ToString(CultureInfo.InvariantCulture)}&" : "";
        // $select and $expand are kept, as in Graph's links: the next page has the same shape as the first.
        var select = request.Query["$select"] is [{ Length: > 0 } selected] ? $"$select={Uri.EscapeDataString(selected)}&" : "";
        var expand = request.Query["$expand"] is [{ Length: > 0 } expanded] ? $"$expand={Uri.EscapeDataString(expanded)}&" : "";
        return $"{request.ServiceRoot()}{request.Path}?{top}{select}{expand}$skiptoken={EncodeSkipToken(next)}";
    }

    private static string EncodeSkipToken(int offset) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(SkipTokenPrefix + offset.ToString(CultureInfo.InvariantCulture)));

    private static bool TryDecodeSkipToken(string token, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            return text.StartsWith(SkipTokenPrefix, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(SkipTokenPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

/// <summary>Which slice of a collection to serve.</summary>
/// <param name="Top">The caller's <c>$top</c> (clamped), repeated in the next link; null when not sent.</param>
internal readonly record struct PageRequest(int Offset, int Size, int? Top);
