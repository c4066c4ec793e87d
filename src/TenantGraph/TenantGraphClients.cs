using Azure.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace TenantAtlas.TenantGraph;

/// <summary>
/// A <see cref="GraphServiceClient"/> per customer tenant. The HTTP pipeline is the SDK's own
/// (<see cref="GraphClientFactory"/>: retry honouring Retry-After, redirects, compression...), ending in the
/// "graph" named handler so tests and the AppHost can point it at the emulator.
/// </summary>
public sealed class TenantGraphClients(IOptions<GraphOptions> options, IHttpMessageHandlerFactory handlers)
{
    public const string HttpClientName = "graph";

    public GraphServiceClient For(string entraTenantId)
    {
        var settings = options.Value;
        var retry = new RetryHandlerOption { MaxRetry = settings.MaxRetries, Delay = settings.RetryDelaySeconds };
        var pipeline = GraphClientFactory.CreateDefaultHandlers();
        for (var i = 0; i < pipeline.Count; i++)
        {
            if (pipeline[i] is Microsoft.Kiota.Http.HttpClientLibrary.Middleware.RetryHandler)
            {
                pipeline[i] = new Microsoft.Kiota.Http.HttpClientLibrary.Middleware.RetryHandler(retry);
            }
        }
        var http = GraphClientFactory.Create(pipeline, finalHandler: handlers.CreateHandler(HttpClientName), disposeHandler: false);
        // The retry handler sits inside the client: its waits count against this timeout (see GraphOptions.RequestTimeout).
        http.Timeout = settings.RequestTimeout;
        return new GraphServiceClient(http, Authentication(settings, entraTenantId), settings.BaseUrl);
    }

    private BaseBearerTokenAuthenticationProvider Authentication(GraphOptions settings, string entraTenantId)
    {
        var graphBase = new Uri(settings.BaseUrl);
        if (settings.UsesLocalAuthority)
        {
            var tokenEndpoint = new Uri(new Uri(settings.AuthorityHost.TrimEnd('/') + "/"), $"{entraTenantId}/oauth2/v2.0/token");
            var http = new HttpClient(handlers.CreateHandler(HttpClientName), disposeHandler: false);
            return new BaseBearerTokenAuthenticationProvider(
                new ClientCredentialsTokenProvider(http, tokenEndpoint, settings.ClientId, settings.ClientSecret, graphBase));
        }
        var credential = new ClientSecretCredential(entraTenantId, settings.ClientId, settings.ClientSecret,
            new ClientSecretCredentialOptions { AuthorityHost = new Uri(settings.AuthorityHost) });
        return new Microsoft.Graph.Authentication.AzureIdentityAuthenticationProvider(credential, [graphBase.Host], null, true,
            "https://graph.microsoft.com/.default");
    }
}
