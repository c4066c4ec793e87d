using StackExchange.Redis;
using TenantAtlas.Contracts;

namespace TenantAtlas.Workers;

/// <summary>The fields of a stream entry (see <see cref="RunJobs"/>).</summary>
internal sealed record RunJob(string RunId, string Type, string TenantId, string? TraceParent, DateTime? CreatedAt)
{
    public static RunJob? From(StreamEntry entry)
    {
        var runId = (string?)entry[RunJobs.RunIdField];
        if (string.IsNullOrEmpty(runId))
        {
            return null;
        }
        DateTime? created = DateTime.TryParse((string?)entry[RunJobs.CreatedAtField], System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind, out var at) ? at.ToUniversalTime() : null;
        return new RunJob(runId, (string?)entry[RunJobs.TypeField] ?? string.Empty, (string?)entry[RunJobs.TenantIdField] ?? string.Empty,
            (string?)entry[RunJobs.TraceParentField], created);
    }
}
