namespace TenantAtlas.Testing;

/// <summary>Adds <c>Authorization: Bearer {token}</c> to every request (for gRPC channels and HTTP clients on test servers).</summary>
public sealed class BearerTokenHandler(string token) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return base.SendAsync(request, cancellationToken);
    }
}
