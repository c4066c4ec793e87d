using Microsoft.AspNetCore.Mvc.Testing;
using TenantAtlas.Testing;

namespace TenantAtlas.Gateway.Tests;

/// <summary>A suite service hosted in-process and listening on its two real ports.</summary>
public sealed record KestrelHost<TProgram>(WebApplicationFactory<TProgram> Host, string HttpUrl, string GrpcUrl)
    : IAsyncDisposable where TProgram : class
{
    public ValueTask DisposeAsync() => Host.DisposeAsync();
}

public static class KestrelHost
{
    /// <summary>
    /// Starts a suite service in-process on real Kestrel ports (its gRPC HTTP/2 and its HTTP/1.1 endpoint), so the
    /// gateway reaches it over real HTTP, as in production.
    /// </summary>
    public static KestrelHost<TProgram> Start<TProgram>(IReadOnlyDictionary<string, string> settings) where TProgram : class
    {
        var (grpcUrl, httpUrl) = ($"http://127.0.0.1:{ServiceProcess.FreePort()}", $"http://127.0.0.1:{ServiceProcess.FreePort()}");
        var host = new WebApplicationFactory<TProgram>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Kestrel:Endpoints:grpc:Url", grpcUrl);
            web.UseSetting("Kestrel:Endpoints:http:Url", httpUrl);
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
        });
        host.UseKestrel();
        host.StartServer();
        return new KestrelHost<TProgram>(host, httpUrl, grpcUrl);
    }
}
