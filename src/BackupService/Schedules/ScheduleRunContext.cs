using Google.Protobuf.WellKnownTypes;
using TenantAtlas.TenantGraph;

namespace TenantAtlas.BackupService.Schedules;

/// <summary>
/// What a schedule run's context holds for the worker: the schedule, the Entra tenant, the selection at start, and
/// for a retry the set whose failed items it re-captures; for a scheduled run the slot it fires.
/// </summary>
public sealed record ScheduleRunContext(Guid ScheduleId, string ScheduleName, string EntraTenantId, IReadOnlyList<string> Families,
    IReadOnlyList<string> PolicyIds, Guid? RetriedSetId = null, DateTime? FireFor = null)
{
    private const string ScheduleIdField = "schedule_id";
    private const string ScheduleNameField = "schedule_name";
    private const string EntraTenantIdField = "entra_tenant_id";
    private const string FamiliesField = "families";
    private const string PolicyIdsField = "policy_ids";
    private const string RetriedSetField = "backup_set_id";
    private const string FireForField = "fire_for";

    public Struct ToStruct()
    {
        var context = new Struct
        {
            Fields =
            {
                [ScheduleIdField] = Value.ForString(ScheduleId.ToString()),
                [ScheduleNameField] = Value.ForString(ScheduleName),
                [EntraTenantIdField] = Value.ForString(EntraTenantId),
                [FamiliesField] = Value.ForList([.. Families.Select(Value.ForString)]),
                [PolicyIdsField] = Value.ForList([.. PolicyIds.Select(Value.ForString)]),
            },
        };
        if (RetriedSetId is { } set)
        {
            context.Fields[RetriedSetField] = Value.ForString(set.ToString());
        }
        if (FireFor is { } fireFor)
        {
            context.Fields[FireForField] = Value.ForString(fireFor.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
        return context;
    }

    /// <summary>The schedule a run belongs to, if it is a schedule run.</summary>
    public static Guid? ScheduleOf(Struct? context) =>
        context is not null && context.Fields.TryGetValue(ScheduleIdField, out var id) && Guid.TryParse(id.StringValue, out var scheduleId) ? scheduleId : null;

    /// <summary>The backup set a schedule run captured into: a retry's is the set it retried, any other's has the run's id.</summary>
    public static Guid SetOf(Guid runId, Struct? context) =>
        context is not null && context.Fields.TryGetValue(RetriedSetField, out var set) && Guid.TryParse(set.StringValue, out var setId) ? setId : runId;

    public static ScheduleRunContext? From(Struct context)
    {
        if (ScheduleOf(context) is not { } scheduleId
            || !context.Fields.TryGetValue(EntraTenantIdField, out var entra) || string.IsNullOrEmpty(entra.StringValue))
        {
            return null;
        }
        return new ScheduleRunContext(scheduleId,
            context.Fields.TryGetValue(ScheduleNameField, out var name) ? name.StringValue : string.Empty,
            entra.StringValue,
            [.. Strings(context, FamiliesField).Where(PolicyFamilies.All.Contains)],
            Strings(context, PolicyIdsField),
            context.Fields.TryGetValue(RetriedSetField, out var set) && Guid.TryParse(set.StringValue, out var setId) ? setId : null,
            context.Fields.TryGetValue(FireForField, out var fireFor) && DateTime.TryParse(fireFor.StringValue, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null);
    }

    private static List<string> Strings(Struct context, string field) =>
        context.Fields.TryGetValue(field, out var list) && list.ListValue is { } values ? [.. values.Values.Select(v => v.StringValue)] : [];
}
