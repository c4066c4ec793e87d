using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using TenantAtlas.Bench.Measurement;
using TenantAtlas.Runs.V1;
using TenantAtlas.ServiceDefaults;
using RunsClient = TenantAtlas.Runs.V1.RunsService.RunsServiceClient;

namespace TenantAtlas.Bench.Scenarios;

public static partial class ListingScenario
{
    // ---------------------------------------------------------------- measurement

    private sealed record RawQuery(string Sql, Action<NpgsqlParameterCollection> Bind);

    private static void Bind(NpgsqlParameterCollection p, Guid workspace, int limit)
    {
        p.AddWithValue("workspace_id", NpgsqlDbType.Uuid, workspace);
        p.AddWithValue("limit", NpgsqlDbType.Integer, limit);
    }

    private static async Task RoundRobinAsync(Probe[] probes, int warmups, int samples)
    {
        for (var round = 0; round < warmups + samples; round++)
        {
            foreach (var probe in probes)
            {
                await probe.RunAsync(record: round >= warmups);
            }
        }
    }

    /// <summary>One measured request: its round-trip and (for ListRuns) server-side latencies.</summary>
    private sealed class Probe(Func<Task<(double RoundTrip, double Server)>> call)
    {
        private readonly List<double> roundTrips = [];
        private readonly List<double> server = [];

        public LatencyStats RoundTrip => LatencyStats.From(roundTrips);

        /// <summary>From the <c>server-timing</c> trailer; empty (NaN figures) when RunsService sent none.</summary>
        public LatencyStats Server => LatencyStats.From(server);

        public static Probe Grpc(RunsClient client, ListRunsRequest request) => new(() => CallAsync(client, request));

        public static Probe Raw(NpgsqlDataSource data, RawQuery query) => new(async () =>
        {
            var started = Stopwatch.GetTimestamp();
            await RawAsync(data, query);
            return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, double.NaN);
        });

        public async Task RunAsync(bool record)
        {
            var (roundTrip, serverSide) = await call();
            if (record)
            {
                roundTrips.Add(roundTrip);
                if (!double.IsNaN(serverSide))
                {
                    server.Add(serverSide);
                }
            }
        }
    }

    /// <summary>One ListRuns call: round-trip ms (client side) and the server's own ms from the trailer (NaN without one).</summary>
    private static async Task<(double RoundTrip, double Server)> CallAsync(RunsClient client, ListRunsRequest request)
    {
        var started = Stopwatch.GetTimestamp();
        using var call = client.ListRunsAsync(request);
        var response = await call.ResponseAsync;
        var roundTrip = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (response.Runs.Count != PageSize)
        {
            throw new InvalidOperationException($"ListRuns returned {response.Runs.Count} runs, expected a full page of {PageSize}.");
        }
        return (roundTrip, ServerTimingInterceptor.Parse(call.GetTrailers()) ?? double.NaN);
    }

    /// <summary>The same SQL RunStore sends, through a pooled Npgsql connection, every column read.</summary>
    private static async Task RawAsync(NpgsqlDataSource data, RawQuery query)
    {
        await using var command = data.CreateCommand(query.Sql);
        query.Bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            for (var column = 0; column < reader.FieldCount; column++)
            {
                _ = reader.GetValue(column);
            }
            rows++;
        }
        if (rows < PageSize)
        {
            throw new InvalidOperationException($"The raw query returned {rows} rows, expected at least {PageSize}.");
        }
    }


}
