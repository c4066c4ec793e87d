using Google.Rpc;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GrpcStatus = Grpc.Core.Status;
using Status = Google.Rpc.Status;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// The one place where exceptions become gRPC statuses. Caller mistakes get a precise code and a message they
/// can act on; anything unexpected becomes INTERNAL with a correlation id (the trace id) and is logged, never a
/// stack trace to the caller.
/// </summary>
public sealed partial class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger, IOptions<TransientFailureOptions> transient)
    : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            // Awaited inside the try, or nothing thrown asynchronously would be caught.
            return await continuation(request, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToRpcException(e, context);
        }
    }

    /// <summary>Server streaming (WatchRun): the same mapping, whether the refusal comes before the first message or later.</summary>
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (e is not RpcException)
        {
            throw ToRpcException(e, context);
        }
    }

    private RpcException ToRpcException(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case RequestValidationException invalid:
                var badRequest = new BadRequest();
                badRequest.FieldViolations.AddRange(invalid.Violations.Select(v =>
                    new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }));
                return new Status
                {
                    Code = (int)Code.InvalidArgument,
                    Message = invalid.Message,
                    Details = { Google.Protobuf.WellKnownTypes.Any.Pack(badRequest) },
                }.ToRpcException();
            case NotFoundException e:
                return new RpcException(new GrpcStatus(StatusCode.NotFound, e.Message));
            case PermissionDeniedException e:
                return new RpcException(new GrpcStatus(StatusCode.PermissionDenied, e.Message));
            case UnauthenticatedException e:
                return new RpcException(new GrpcStatus(StatusCode.Unauthenticated, e.Message));
            case FailedPreconditionException e:
                return new RpcException(new GrpcStatus(StatusCode.FailedPrecondition, e.Message));
            case AbortedException e:
                return new RpcException(new GrpcStatus(StatusCode.Aborted, e.Message));
            case AlreadyExistsException e:
                return new RpcException(new GrpcStatus(StatusCode.AlreadyExists, e.Message));
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new GrpcStatus(StatusCode.Cancelled, "The call was cancelled by the caller."));
            case var _ when transient.Value.IsTransient(exception):
                LogUnavailable(logger, exception, context.Method);
                return new RpcException(new GrpcStatus(StatusCode.Unavailable,
                    "A backing store of this service is unavailable right now; retry with backoff."));
            default:
                var correlationId = System.Diagnostics.Activity.Current?.TraceId.ToHexString() ?? context.GetHttpContext().TraceIdentifier;
                LogUnexpected(logger, exception, context.Method, correlationId);
                return new RpcException(new GrpcStatus(StatusCode.Internal,
                    $"An internal error occurred; quote correlation id {correlationId} when reporting it."));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} failed: a backing store is unavailable")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, string method);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed unexpectedly (correlation id {CorrelationId})")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string correlationId);
}
