using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using TenantAtlas.Bench.Report;

namespace TenantAtlas.Bench.Scenarios;

public static partial class ListingScenario
{
    // ---------------------------------------------------------------- load

    /// <summary>
    /// Writes <paramref name="count"/> runs of history with binary COPY in created_at order (as they would have been
    /// inserted), then VACUUM ANALYZE. Every CHECK, FK and unique index of the migrations holds: completed runs carry a
    /// final outcome, active runs are pending, identity hashes are random (so neither partial unique index can conflict).
    /// </summary>
    private static async Task LoadAsync(NpgsqlDataSource data, Guid workspace, IReadOnlyList<Guid> tenants, int count, BenchReport report)
    {
        Console.WriteLine($"  loading {count:N0} runs with binary COPY...");
        var now = DateTime.UtcNow;
        var started = Stopwatch.GetTimestamp();
        ulong written;
        await using (var connection = await data.OpenConnectionAsync())
        {
            await using var writer = await connection.BeginBinaryImportAsync(
                $"COPY runs.operation_runs ({Columns}) FROM STDIN (FORMAT BINARY)");
            writer.Timeout = TimeSpan.FromMinutes(30);
            var history = new HistoryGenerator(workspace, tenants, count, now, seed: 4);
            for (var i = 0; i < count; i++)
            {
                await history.WriteRowAsync(writer, i);
            }
            written = await writer.CompleteAsync();
        }
        var copied = Stopwatch.GetElapsedTime(started);

        var vacuumStarted = Stopwatch.GetTimestamp();
        await using (var vacuum = data.CreateCommand("VACUUM ANALYZE runs.operation_runs"))
        {
            vacuum.CommandTimeout = 0;
            await vacuum.ExecuteNonQueryAsync();
        }
        var vacuumed = Stopwatch.GetElapsedTime(vacuumStarted);

        if (written != (ulong)count)
        {
            throw new InvalidOperationException($"COPY wrote {written} runs, expected {count}.");
        }
        var size = await ScalarAsync<string>(data, "SELECT pg_size_pretty(pg_total_relation_size('runs.operation_runs'))");
        report.AddFact(string.Create(CultureInfo.InvariantCulture,
            $"Listing: loaded {count:N0} runs (50 tenants + workspace-plane runs, 90 days, 9 types) with binary COPY in " +
            $"{copied.TotalSeconds:0.0} s ({count / copied.TotalSeconds:N0} rows/s, all indexes, FKs and CHECKs in place); " +
            $"VACUUM ANALYZE {vacuumed.TotalSeconds:0.0} s; table with indexes {size}."));
    }

    /// <summary>Deterministic, realistic run history: row <c>i</c> is the i-th oldest run.</summary>
    private sealed class HistoryGenerator(Guid workspace, IReadOnlyList<Guid> tenants, int count, DateTime now, int seed)
    {
        private static readonly TimeSpan History = TimeSpan.FromDays(90);
        private static readonly TimeSpan ActiveWindow = TimeSpan.FromMinutes(10);

        // Seeded: every benchmark run loads the same mix (relative to now; run ids are time-ordered v7 GUIDs).
        private readonly Random random = new(seed);
        private readonly byte[] bytes = new byte[32];

        // The newest few hundred runs are still queued or running; everything older has completed.
        private readonly int active = Math.Min(300, Math.Max(1, count / 50));
        private readonly DateTime historyStart = now - History;

        public async Task WriteRowAsync(NpgsqlBinaryImporter writer, int i)
        {
            var isActive = i >= count - active;
            var createdAt = isActive
                ? Spread(now - ActiveWindow, now.AddSeconds(-1), i - (count - active), active)
                : Spread(historyStart, now - ActiveWindow, i, count - active);
            var (type, policy) = PickType();
            Guid? tenant = type == WorkspacePlaneType ? null : tenants[(int)(tenants.Count * Math.Pow(random.NextDouble(), 1.5))];
            var scheduled = type is "backup_schedule.scheduled" or "backup_schedule.retry" || (type == "drift.generate" && random.Next(2) == 0);
            var total = TotalFor(type);

            string status, outcome;
            long processed = 0, succeeded = 0, failed = 0, skipped = 0;
            DateTime? startedAt = null, completedAt = null;
            var queueDelay = TimeSpan.FromMilliseconds(20 + random.Next(3000));
            if (isActive)
            {
                outcome = "pending";
                if (random.NextDouble() < 0.35)
                {
                    status = "queued";
                    total = 0;
                }
                else
                {
                    status = "running";
                    startedAt = Min(createdAt + queueDelay, now);
                    processed = succeeded = (long)(total * random.NextDouble());
                }
            }
            else
            {
                status = "completed";
                startedAt = createdAt + queueDelay;
                var roll = random.NextDouble();
                if (roll < 0.86)
                {
                    outcome = "succeeded";
                    skipped = random.Next((int)(total / 20) + 1);
                    succeeded = total - skipped;
                    processed = total;
                }
                else if (roll < 0.92)
                {
                    outcome = "partially_succeeded";
                    failed = 1 + random.Next((int)(total / 10) + 1);
                    succeeded = total - failed;
                    processed = total;
                }
                else if (roll < 0.98)
                {
                    outcome = "failed";
                    processed = failed = 1 + random.Next((int)total);
                }
                else
                {
                    outcome = "cancelled";
                    if (random.Next(3) == 0)
                    {
                        startedAt = null; // cancelled while queued
                    }
                    else
                    {
                        processed = succeeded = random.Next((int)total);
                    }
                }
                var duration = TimeSpan.FromSeconds(2 + (total * (0.05 + random.NextDouble() * 0.2)));
                completedAt = startedAt is { } s ? Min(s + duration, now) : createdAt + queueDelay;
            }

            var userNumber = random.Next(1, 41);
            await writer.StartRowAsync();
            await writer.WriteAsync(Guid.CreateVersion7(new DateTimeOffset(createdAt)), NpgsqlDbType.Uuid);
            await writer.WriteAsync(workspace, NpgsqlDbType.Uuid);
            await WriteNullableAsync(writer, tenant, NpgsqlDbType.Uuid);
            await writer.WriteAsync(type, NpgsqlDbType.Varchar);
            await writer.WriteAsync(status, NpgsqlDbType.Varchar);
            await writer.WriteAsync(outcome, NpgsqlDbType.Varchar);
            await writer.WriteAsync(policy, NpgsqlDbType.Varchar);
            await writer.WriteAsync(Hex(32), NpgsqlDbType.Char);
            await writer.WriteAsync(IdentityInputs(type, createdAt), NpgsqlDbType.Jsonb);
            await WriteNullableAsync(writer, scheduled ? null : $"user{userNumber}@contoso.test", NpgsqlDbType.Varchar);
            await writer.WriteAsync(scheduled ? "Scheduler" : $"User {userNumber}", NpgsqlDbType.Varchar);
            await writer.WriteAsync(total, NpgsqlDbType.Bigint);
            await writer.WriteAsync(processed, NpgsqlDbType.Bigint);
            await writer.WriteAsync(succeeded, NpgsqlDbType.Bigint);
            await writer.WriteAsync(failed, NpgsqlDbType.Bigint);
            await writer.WriteAsync(skipped, NpgsqlDbType.Bigint);
            await writer.WriteAsync("[]", NpgsqlDbType.Jsonb);
            await writer.WriteAsync(0L, NpgsqlDbType.Bigint);
            await writer.WriteAsync(scheduled ? """{"source":"schedule"}""" : """{"source":"portal"}""", NpgsqlDbType.Jsonb);
            await WriteNullableAsync(writer, scheduled ? null : Hex(16), NpgsqlDbType.Varchar);
            await writer.WriteAsync(createdAt, NpgsqlDbType.TimestampTz);
            await WriteNullableAsync(writer, startedAt, NpgsqlDbType.TimestampTz);
            await WriteNullableAsync(writer, completedAt, NpgsqlDbType.TimestampTz);
            await writer.WriteAsync(completedAt ?? startedAt ?? createdAt, NpgsqlDbType.TimestampTz);
        }

        // Strictly increasing times spread evenly over [from, to), with jitter inside each slot; microsecond precision.
        private DateTime Spread(DateTime from, DateTime to, int index, int slots)
        {
            var slot = (to - from).Ticks / (double)slots;
            var ticks = from.Ticks + (long)((index + random.NextDouble()) * slot);
            return new DateTime(ticks - ticks % 10, DateTimeKind.Utc);
        }

        private (string Type, string Policy) PickType()
        {
            var roll = random.NextDouble();
            foreach (var (type, weight, policy) in TypeMix)
            {
                roll -= weight;
                if (roll < 0)
                {
                    return (type, policy);
                }
            }
            return (TypeMix[0].Type, TypeMix[0].Policy);
        }

        private long TotalFor(string type) => type switch
        {
            "inventory.sync" => 200 + random.Next(2800),
            "directory_groups.sync" => 50 + random.Next(450),
            "drift.generate" => 10 + random.Next(190),
            "restore.execute" => 5 + random.Next(95),
            WorkspacePlaneType => 3 + random.Next(10),
            _ => 20 + random.Next(380),
        };

        private string IdentityInputs(string type, DateTime createdAt)
        {
            var id = random.Next(1, 500).ToString(CultureInfo.InvariantCulture);
            return type switch
            {
                "inventory.sync" => random.Next(4) == 0 ? """{"families":"deviceConfiguration,compliance"}""" : """{"families":"all"}""",
                "directory_groups.sync" => """{"scope":"all"}""",
                "drift.generate" => $$"""{"baseline_id":"{{id}}"}""",
                "backup_set.add_policies" => $$"""{"backup_set_id":"{{id}}"}""",
                "backup_schedule.scheduled" => $$"""{"backup_schedule_id":"{{id}}","scheduled_for":"{{createdAt:yyyy-MM-ddTHH:00:00Z}}"}""",
                "backup_schedule.retry" => $$"""{"attempt":"2","backup_schedule_id":"{{id}}"}""",
                "restore.execute" => $$"""{"restore_run_id":"{{id}}"}""",
                WorkspacePlaneType => """{"period":"last_30_days"}""",
                _ => $$"""{"backup_schedule_id":"{{id}}"}""",
            };
        }

        private string Hex(int length)
        {
            random.NextBytes(bytes.AsSpan(0, length));
            return Convert.ToHexStringLower(bytes, 0, length);
        }

        private static DateTime Min(DateTime a, DateTime b) => a <= b ? a : b;

        private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type) where T : struct
        {
            if (value is { } v)
            {
                await writer.WriteAsync(v, type);
            }
            else
            {
                await writer.WriteNullAsync();
            }
        }

        private static async Task WriteNullableAsync(NpgsqlBinaryImporter writer, string? value, NpgsqlDbType type)
        {
            if (value is null)
            {
                await writer.WriteNullAsync();
            }
            else
            {
                await writer.WriteAsync(value, type);
            }
        }
    }
}
