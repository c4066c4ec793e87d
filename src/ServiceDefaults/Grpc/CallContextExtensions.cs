using Grpc.Core;

namespace TenantAtlas.ServiceDefaults;

public static class CallContextExtensions
{
    /// <summary>The caller's own bearer header, to forward when acting on their behalf (e.g. EnsureRun from a start surface).</summary>
    public static Metadata ForwardedAuthorization(this ServerCallContext context) =>
        context.RequestHeaders.Get("authorization") is { } header ? new Metadata { header } : [];

    /// <summary>The authenticated caller; UNAUTHENTICATED when the token names no subject.</summary>
    public static Caller Caller(this ServerCallContext context) =>
        ServiceDefaults.Caller.From(context.GetHttpContext().User)
        ?? throw new UnauthenticatedException("The bearer token identifies no caller: it needs a 'sub' claim.");
}
