using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TenantAtlas.Runs.V1;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.TokenIssuing;

namespace TenantAtlas.Workers;

/// <summary>What a worker says to RunsService about its runs; an interface so the job branches can be tested alone.</summary>
public interface IRunsClient
{
    Task<Run> UpdateAsync(UpdateRunRequest request, CancellationToken ct);

    Task<Run> GetAsync(string runId, CancellationToken ct);
}

/// <summary>
/// The service's calls to RunsService as itself (a service identity): moving runs along and reporting progress.
/// Calls on behalf of a user (EnsureRun from a start surface) forward that user's token instead.
/// </summary>
public sealed class RunsClient(RunsService.RunsServiceClient client, ServiceToken token) : IRunsClient
{
    public RunsService.RunsServiceClient Raw => client;

    public async Task<Run> UpdateAsync(UpdateRunRequest request, CancellationToken ct) =>
        (await client.UpdateRunAsync(request, await token.HeadersAsync(), cancellationToken: ct)).Run;

    public async Task<Run> GetAsync(string runId, CancellationToken ct) =>
        (await client.GetRunAsync(new GetRunRequest { RunId = runId }, await token.HeadersAsync(), cancellationToken: ct)).Run;
}

/// <summary>
/// The bearer token this service presents to RunsService. Development and tests sign it with Auth:SigningKey;
/// OIDC client credentials for production are not implemented yet, so the key is required for now.
/// </summary>
public sealed class ServiceToken(IConfiguration configuration, IOptions<RunWorkerOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly Lock gate = new();
    private (string Token, DateTimeOffset RenewAt)? current;

    public Task<Metadata> HeadersAsync()
    {
        lock (gate)
        {
            if (current is not { } cached || time.GetUtcNow() >= cached.RenewAt)
            {
                var tokenOptions = TokenOptions.From(configuration);
                if (tokenOptions.SigningKey is null)
                {
                    throw new InvalidOperationException(
                        "Service-to-service tokens need Auth:SigningKey for now; OIDC client credentials are not implemented.");
                }
                var subject = $"svc:{options.Value.Service}";
                current = cached = (DevTokens.Issue(tokenOptions, subject, subject, service: true, lifetime: Lifetime),
                    time.GetUtcNow() + Lifetime - TimeSpan.FromMinutes(5));
            }
            return Task.FromResult(new Metadata { { "authorization", $"Bearer {cached.Token}" } });
        }
    }
}
