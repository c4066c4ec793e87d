using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using TenantAtlas.RunsService.DeadLetters;
using TenantAtlas.Runs.V1;

namespace TenantAtlas.RunsService.Grpc;

/// <summary>tenantatlas.runs.v1.DeadLetterService: translates requests to <see cref="DeadLetterStore"/> calls.</summary>
[Authorize]
public sealed partial class DeadLetterGrpcService(DeadLetterStore queue) : DeadLetterService.DeadLetterServiceBase
{
    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var service = Service(v, request.Service);
        var pageSize = v.PageSize("page_size", request.PageSize);
        var before = request.PageToken.Length == 0 ? null : EntryId(v, "page_token", request.PageToken);
        v.ThrowIfInvalid();
        queue.Authorize(context.Caller());
        var (page, next, total) = await queue.ListAsync(service, pageSize, before, context.CancellationToken);
        var response = new ListDeadLettersResponse { NextPageToken = next ?? string.Empty, Total = total };
        response.DeadLetters.AddRange(page.Select(ToProto));
        return response;
    }

    public override async Task<RequeueDeadLetterResponse> RequeueDeadLetter(RequeueDeadLetterRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var service = Service(v, request.Service);
        var entryId = EntryId(v, "entry_id", request.EntryId);
        v.ThrowIfInvalid();
        queue.Authorize(context.Caller());
        var (run, added) = await queue.RequeueAsync(service, entryId, context.CancellationToken);
        return new RequeueDeadLetterResponse { Run = run.ToProto(), StreamEntryId = added };
    }

    public override async Task<DiscardDeadLetterResponse> DiscardDeadLetter(DiscardDeadLetterRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var service = Service(v, request.Service);
        var entryId = EntryId(v, "entry_id", request.EntryId);
        v.ThrowIfInvalid();
        queue.Authorize(context.Caller());
        await queue.DiscardAsync(service, entryId);
        return new DiscardDeadLetterResponse();
    }

    private static string Service(RequestValidator v, string service)
    {
        if (!DeadLetterStore.Services.Contains(service))
        {
            v.Add("service", $"must be a service of the suite ({string.Join(", ", DeadLetterStore.Services)}), got {RequestValidator.Quote(service)}.");
        }
        return service;
    }

    private static string EntryId(RequestValidator v, string field, string value)
    {
        if (!StreamEntryIdPattern().IsMatch(value))
        {
            v.Add(field, $"must be a stream entry id like '1732838400000-0' (DeadLetter.entry_id), got {RequestValidator.Quote(value)}.");
        }
        return value;
    }

    private static TenantAtlas.Runs.V1.DeadLetter ToProto(DeadLetterEntry entry) => new()
    {
        EntryId = entry.EntryId,
        Service = entry.Service,
        RunId = entry.RunId?.ToString() ?? string.Empty,
        RunType = entry.RunType,
        Reason = entry.Reason,
        DeliveryCount = entry.DeliveryCount,
        DeadLetteredAt = entry.DeadLetteredAt is { } at ? Timestamp.FromDateTime(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
        OriginalEntryId = entry.OriginalEntryId,
        Run = entry.Run?.ToProto(),
    };

    [GeneratedRegex("^[0-9]{1,20}-[0-9]{1,20}$", RegexOptions.CultureInvariant)]
    private static partial Regex StreamEntryIdPattern();
}
