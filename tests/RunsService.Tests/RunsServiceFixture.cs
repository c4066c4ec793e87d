using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TenantAtlas.Access.V1;
using TenantAtlas.Runs.V1;
using TenantAtlas.ServiceDefaults;
using TenantAtlas.Testing;
using RunsClient = TenantAtlas.Runs.V1.RunsService.RunsServiceClient;
using TenantAtlas.TokenIssuing;
using IdentityPolicyName = TenantAtlas.RunsService.Runs.IdentityPolicyName;
using NewRun = TenantAtlas.RunsService.Runs.NewRun;
using OperationRunService = TenantAtlas.RunsService.Runs.OperationRunService;
using ProtoMapping = TenantAtlas.RunsService.Grpc.ProtoMapping;
using RunIdentity = TenantAtlas.RunsService.Runs.RunIdentity;
using RunStore = TenantAtlas.RunsService.Runs.RunStore;
using RunTypes = TenantAtlas.Contracts.RunTypes;

namespace TenantAtlas.RunsService.Tests;

/// <summary>
/// RunsService hosted in-process on its own fresh database of the shared real PostgreSQL server, called through
/// real gRPC channels with signed bearer tokens. One per test class (xunit runs classes in parallel).
/// </summary>
public class RunsServiceFixture : IAsyncLifetime
{
    public const string SigningKey = "tests-only-signing-key-0123456789abcdef";
    public const string PlatformAdmin = "platform-admin";
    public const string WorkerSubject = "svc:inventory";

    private readonly List<WebApplicationFactory<Program>> replicas = [];
    private WebApplicationFactory<Program>? factory;

    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>This fixture's own Redis (the relay publishes new runs' jobs to it).</summary>
    public RedisServer Redis { get; private set; } = null!;

    /// <summary>Settings a test class adds or overrides (e.g. a short dispatch deadline).</summary>
    public Dictionary<string, string> Settings { get; } = [];

    public static TokenOptions TokenOptions { get; } = TokenOptions.ForSigningKey(SigningKey);

    public virtual async Task InitializeAsync()
    {
        var postgres = await PostgresServer.SharedAsync();
        ConnectionString = await postgres.CreateDatabaseAsync("runs");
        Redis = await RedisServer.StartAsync();
        factory = CreateFactory();
        _ = factory.Server; // start now: applies migrations
    }

    /// <summary>Another RunsService process on the same database and Redis (a replica).</summary>
    public WebApplicationFactory<Program> StartReplica()
    {
        var replica = CreateFactory();
        _ = replica.Server;
        replicas.Add(replica);
        return replica;
    }

    private WebApplicationFactory<Program> CreateFactory() => new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
    {
        web.UseSetting("ConnectionStrings:runsdb", ConnectionString);
        web.UseSetting("ConnectionStrings:redis", Redis.ConnectionString);
        web.UseSetting("Auth:SigningKey", SigningKey);
        web.UseSetting("Auth:PlatformAdmins:0", PlatformAdmin);
        foreach (var (key, value) in Settings)
        {
            web.UseSetting(key, value);
        }
    });

    public virtual async Task DisposeAsync()
    {
        foreach (var replica in replicas)
        {
            await replica.DisposeAsync();
        }
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }

    public static string UserToken(string subject, string? name = null) => DevTokens.Issue(TokenOptions, subject, name ?? subject);

    public static string ServiceToken(string subject = WorkerSubject) => DevTokens.Issue(TokenOptions, subject, subject, service: true);

    /// <summary>A gRPC channel to the in-process service; every call carries the token (none when null).</summary>
    public GrpcChannel Channel(string? token)
    {
        var server = factory?.Server ?? throw new InvalidOperationException("Fixture not initialized.");
        HttpMessageHandler handler = server.CreateHandler();
        if (token is not null)
        {
            handler = new BearerTokenHandler(token) { InnerHandler = handler };
        }
        return GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = handler });
    }

    /// <summary>An HTTP/JSON client of the transcoded REST surface; every request carries the token (none when null).</summary>
    public HttpClient Http(string? token)
    {
        var client = factory?.CreateClient() ?? throw new InvalidOperationException("Fixture not initialized.");
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>The in-process service's container, for tests that check a domain component directly (e.g. the SQL gate).</summary>
    public IServiceProvider Services => factory?.Services ?? throw new InvalidOperationException("Fixture not initialized.");

    public RunsClient Runs(string? token) => new(Channel(token));

    public AccessService.AccessServiceClient Access(string? token) => new(Channel(token));

    /// <summary>Counts rows straight from the database, to prove what was (not) written.</summary>
    public async Task<long> CountAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A workspace owned by <paramref name="owner"/> with one registered tenant.</summary>
    public async Task<(string WorkspaceId, string TenantId)> CreateWorkspaceWithTenantAsync(string owner, string name = "Contoso")
    {
        var admin = Access(UserToken(PlatformAdmin));
        var workspace = await admin.CreateWorkspaceAsync(new CreateWorkspaceRequest
        {
            Name = name, OwnerSubject = owner, OwnerDisplayName = owner,
        });
        var tenant = await RegisterTenantAsync(owner, workspace.Workspace.WorkspaceId, $"{name} tenant");
        return (workspace.Workspace.WorkspaceId, tenant);
    }

    public async Task<string> RegisterTenantAsync(string manager, string workspaceId, string displayName)
    {
        var response = await Access(UserToken(manager)).RegisterTenantAsync(new RegisterTenantRequest
        {
            WorkspaceId = workspaceId, EntraTenantId = Guid.NewGuid().ToString(), DisplayName = displayName,
        });
        return response.Tenant.TenantId;
    }

    public Task SetMemberAsync(string owner, string workspaceId, string subject, Role role, params string[] tenantIds)
    {
        var request = new SetMemberRequest { WorkspaceId = workspaceId, Subject = subject, DisplayName = subject, Role = role };
        request.TenantIds.AddRange(tenantIds);
        return Access(UserToken(owner)).SetMemberAsync(request).ResponseAsync;
    }

    /// <summary>
    /// A run written through <see cref="RunStore"/> itself, past EnsureRun's checks: the way to have runs of types
    /// no service handles yet, which EnsureRun refuses (FAILED_PRECONDITION) but which a workspace may hold (once
    /// their services exist) and which listing, viewing and the identity indexes treat like any other.
    /// <paramref name="initiator"/> null: a system run.
    /// </summary>
    public async Task<(Run Run, bool Created)> SeedRunAsync(string workspaceId, string? tenantId, string type, string? initiator,
        IReadOnlyDictionary<string, string> inputs, IdentityPolicyName? policy = null, string clickId = "")
    {
        var workspace = Guid.Parse(workspaceId);
        Guid? tenant = tenantId is null ? null : Guid.Parse(tenantId);
        var runType = RunTypes.Find(type) ?? throw new ArgumentException($"Unknown run type {type}.", nameof(type));
        var identityPolicy = policy ?? IdentityPolicyName.WhileActive;
        var run = new NewRun(workspace, tenant, type, identityPolicy,
            RunIdentity.Hash(workspace, tenant, type, identityPolicy, clickId, inputs), inputs,
            initiator, initiator ?? OperationRunService.SystemInitiatorName, "{}", null, runType.Stream, null);
        var (record, created) = await Services.GetRequiredService<RunStore>().EnsureAsync(run, CancellationToken.None);
        return (ProtoMapping.ToProto(record), created);
    }

    public static EnsureRunRequest InventorySync(string workspaceId, string tenantId, string scope = "all") => new()
    {
        WorkspaceId = workspaceId,
        TenantId = tenantId,
        Type = "inventory.sync",
        IdentityInputs = { ["scope"] = scope },
    };
}
