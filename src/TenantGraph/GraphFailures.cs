using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace TenantAtlas.TenantGraph;

/// <summary>Graph's answer in an exception, and a failure message that names it without echoing a payload.</summary>
public static class GraphFailures
{
    /// <summary>The SDK throws ApiException, or an AggregateException of them once its retries run out.</summary>
    public static ApiException? Of(Exception e) => e switch
    {
        ApiException api => api,
        AggregateException aggregate => aggregate.InnerExceptions.OfType<ApiException>().LastOrDefault(),
        _ => null,
    };

    /// <summary>"{what} failed: Graph answered 404 ResourceNotFound: …" (Graph's own error code and message).</summary>
    public static string Describe(ApiException e, string what) => e is ODataError { Error: { } error }
        ? $"{what} failed: Graph answered {e.ResponseStatusCode} {error.Code}: {error.Message}"
        : $"{what} failed: Graph answered {e.ResponseStatusCode}.";

    /// <summary>401/403: the app is not (or no longer) consented in the tenant; nothing else will work either.</summary>
    public static bool IsUnauthorized(ApiException e) => e.ResponseStatusCode is 401 or 403;
}
