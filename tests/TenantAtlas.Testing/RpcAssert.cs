using Grpc.Core;

namespace TenantAtlas.Testing;

/// <summary>Assertions on gRPC answers, shared by every test project.</summary>
public static class RpcAssert
{
    /// <summary>Asserts that the call fails with the status code, and returns the exception for message checks.</summary>
    public static async Task<RpcException> FailsWith(StatusCode code, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException e) when (e.StatusCode == code)
        {
            return e;
        }
        catch (RpcException e)
        {
            throw new RpcAssertException($"Expected {code}, got {e.StatusCode}: {e.Status.Detail}");
        }
        throw new RpcAssertException($"Expected {code}, but the call succeeded.");
    }
}

public sealed class RpcAssertException(string message) : Exception(message);
