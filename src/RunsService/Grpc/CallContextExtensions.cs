using Grpc.Core;
using TenantAtlas.ServiceDefaults;

namespace TenantAtlas.RunsService.Grpc;

public static class CallContextExtensions
{
    /// <summary>The authenticated caller; UNAUTHENTICATED when the token names no subject.</summary>
    public static Caller Caller(this ServerCallContext context) =>
        ServiceDefaults.Caller.From(context.GetHttpContext().User)
        ?? throw new UnauthenticatedException("The bearer token identifies no caller: it needs a 'sub' claim.");
}
