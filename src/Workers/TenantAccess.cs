using Grpc.Core;
using TenantAtlas.Access.V1;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.Workers;

/// <summary>
/// RunsService decides access: the tenant is read with the caller's own token (NOT_FOUND when the caller is not entitled
/// to it, exactly as for a tenant that does not exist), then the caller's role must grant the capability.
/// </summary>
public sealed class TenantAccess(AccessService.AccessServiceClient access)
{
    public async Task<Tenant> RequireAsync(Guid tenantId, string capability, string action, ServerCallContext context)
    {
        var answer = await access.GetTenantAsync(new GetTenantRequest { TenantId = tenantId.ToString() }, context.ForwardedAuthorization(),
            cancellationToken: context.CancellationToken);
        if (answer.Member is { } member && !member.Capabilities.Contains(capability))
        {
            throw new PermissionDeniedException($"Your role does not grant '{capability}', which is needed to {action}.");
        }
        return answer.Tenant;
    }

    /// <summary>
    /// <see cref="RequireAsync"/> for something of a tenant (a set, a schedule): a caller not entitled to the tenant gets
    /// NOT_FOUND with the thing's own message, exactly as when it does not exist.
    /// </summary>
    public async Task<Tenant> RequireForAsync(Guid tenantId, string capability, string action, string notFoundMessage, ServerCallContext context)
    {
        try
        {
            return await RequireAsync(tenantId, capability, action, context);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new NotFoundException(notFoundMessage);
        }
    }
}
