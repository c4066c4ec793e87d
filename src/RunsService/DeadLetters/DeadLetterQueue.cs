using System.Globalization;
using StackExchange.Redis;
using TenantAtlas.Contracts;
using TenantAtlas.RunsService.Access;
using TenantAtlas.RunsService.Dispatch;
using TenantAtlas.RunsService.Runs;

namespace TenantAtlas.RunsService.DeadLetters;

/// <summary>One dead-lettered entry, read back: what the job said, why it was given up, and its run as it is now.</summary>
public sealed record DeadLetterEntry(
    string EntryId,
    string Service,
    Guid? RunId,
    string RunType,
    string Reason,
    long DeliveryCount,
    DateTime? DeadLetteredAt,
    string OriginalEntryId,
    RunRecord? Run);

/// <summary>
/// The platform administrators' view of the services' dead-letter streams (<c>ops:{service}:dead</c>): list, requeue a
/// still-active run as a new delivery, discard. The worker host writes them (RunJobProcessor); nothing else reads them.
/// </summary>
public sealed class DeadLetterStore(IConnectionMultiplexer redis, RunStore runs, JobPublisher publisher, PlatformAdmins admins)
{
    /// <summary>The services whose streams exist: the owning services of the run-type catalogue.</summary>
    public static readonly IReadOnlyList<string> Services = [.. RunTypes.All.Values.Select(t => t.OwningService).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Only platform administrators: dead letters span every workspace.</summary>
    public void Authorize(Caller caller)
    {
        if (caller.IsService || !admins.Contains(caller.Subject))
        {
            throw new PermissionDeniedException(
                "Only platform administrators (Auth:PlatformAdmins) may see and act on dead letters; they concern every workspace.");
        }
    }

    /// <summary>A page of the service's dead letters, newest first, after <paramref name="before"/> (exclusive); and the stream's length.</summary>
    public async Task<(IReadOnlyList<DeadLetterEntry> Page, string? Next, long Total)> ListAsync(string service, int pageSize, string? before,
        CancellationToken ct)
    {
        var database = redis.GetDatabase();
        var stream = RunJobs.DeadLetterStreamOf(service);
        var entries = await database.StreamRangeAsync(stream, "-", before is null ? "+" : $"({before}", pageSize + 1, Order.Descending);
        var total = await database.StreamLengthAsync(stream);
        var page = new List<DeadLetterEntry>();
        foreach (var entry in entries.Take(pageSize))
        {
            page.Add(await ReadAsync(service, entry, ct));
        }
        return (page, entries.Length > pageSize ? page[^1].EntryId : null, total);
    }

    /// <summary>Puts the entry's still-active run back on its stream as a new delivery, then removes the entry.</summary>
    public async Task<(RunRecord Run, string StreamEntryId)> RequeueAsync(string service, string entryId, CancellationToken ct)
    {
        var database = redis.GetDatabase();
        var entry = await FindAsync(database, service, entryId);
        var letter = await ReadAsync(service, entry, ct);
        var run = letter.Run;
        if (letter.RunId is null || run is null)
        {
            throw new FailedPreconditionException(
                $"Dead letter {entryId} names {(letter.RunId is null ? "no readable run" : $"run {letter.RunId}, which no longer exists")}: there is nothing to requeue. DiscardDeadLetter removes it.");
        }
        if (run.Status.IsTerminal)
        {
            throw new FailedPreconditionException(
                $"Run {run.Id} of dead letter {entryId} is completed (outcome {run.Outcome}); a completed run is not worked on again. " +
                "Start a new run if the work is still wanted; DiscardDeadLetter removes the entry.");
        }
        if (run.DispatchHeld)
        {
            throw new FailedPreconditionException($"Run {run.Id} of dead letter {entryId} is held (hold_dispatch); ReleaseRun dispatches it, not a requeue.");
        }
        // The job's own fields, as the relay wrote them, without what the dead-lettering added: a fresh first delivery.
        var fields = entry.Values.Where(v => !RunJobs.DeadLetterFields.Contains(v.Name.ToString())).ToArray();
        var added = await database.StreamAddAsync(RunJobs.StreamOf(service), fields);
        await database.StreamDeleteAsync(RunJobs.DeadLetterStreamOf(service), [entry.Id]);
        await publisher.WakeWorkersAsync([RunJobs.StreamOf(service)]);
        return (run, added.ToString());
    }

    /// <summary>Removes the entry for good.</summary>
    public async Task DiscardAsync(string service, string entryId)
    {
        var database = redis.GetDatabase();
        var entry = await FindAsync(database, service, entryId);
        await database.StreamDeleteAsync(RunJobs.DeadLetterStreamOf(service), [entry.Id]);
    }

    /// <summary>Entries in every service's dead-letter stream, by service (the metric and the health check).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountsAsync()
    {
        var database = redis.GetDatabase();
        var lengths = await Task.WhenAll(Services.Select(s => database.StreamLengthAsync(RunJobs.DeadLetterStreamOf(s))));
        return Services.Zip(lengths).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    }

    private static async Task<StreamEntry> FindAsync(IDatabase database, string service, string entryId)
    {
        var found = await database.StreamRangeAsync(RunJobs.DeadLetterStreamOf(service), entryId, entryId, 1);
        return found.Length == 1 ? found[0] : throw new NotFoundException($"Dead letter {entryId} of {service} was not found (discarded or requeued already?).");
    }

    private async Task<DeadLetterEntry> ReadAsync(string service, StreamEntry entry, CancellationToken ct)
    {
        Guid? runId = Guid.TryParse(entry[RunJobs.RunIdField].ToString(), out var id) ? id : null;
        return new DeadLetterEntry(
            entry.Id.ToString(),
            service,
            runId,
            entry[RunJobs.TypeField].ToString(),
            entry[RunJobs.ReasonField].ToString(),
            long.TryParse(entry[RunJobs.DeliveryCountField].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0,
            DateTime.TryParse(entry[RunJobs.DeadLetteredAtField].ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) ? at : null,
            entry[RunJobs.OriginalIdField].ToString(),
            runId is { } known ? await runs.FindAsync(known, ct) : null);
    }
}
