using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;

namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Binds each gRPC service's methods like grpc-dotnet's own binder, with one difference: request bytes that are not a
/// valid message (truncated, invalid UTF-8, nested past the parser's recursion limit) answer INVALID_ARGUMENT naming
/// the message type. grpc-dotnet parses the request before any interceptor runs and answers a parse failure with
/// UNKNOWN "Exception was thrown by handler.", which tells a caller neither that it was their mistake nor what it was.
/// Replaces grpc-dotnet's binder provider (<see cref="GrpcDefaultsExtensions.AddGrpcDefaults{TBuilder}"/>).
/// </summary>
internal sealed class RequestParsingMethodProvider<TService> : IServiceMethodProvider<TService> where TService : class
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
    {
        if (FindBindMethod() is not { } bind)
        {
            return; // Not a generated service (e.g. one bound by code-first tooling): nothing to bind here.
        }
        var binder = new Binder(context, bind.DeclaringType);
        bind.Method.Invoke(null, [binder, null]);
    }

    private static (MethodInfo Method, Type DeclaringType)? FindBindMethod()
    {
        for (var type = typeof(TService); type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } attribute)
            {
                var method = attribute.BindType.GetMethods(BindingFlags.Public | BindingFlags.Static)
                    .Single(m => m.Name == attribute.BindMethodName && m.GetParameters() is [{ ParameterType: var first }, _]
                        && first == typeof(ServiceBinderBase));
                return (method, type);
            }
        }
        return null;
    }

    private sealed class Binder(ServiceMethodProviderContext<TService> context, Type declaringType) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            if (Handler<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest), typeof(ServerCallContext)) is { } found)
            {
                context.AddUnaryMethod(Parsing(method), found.Metadata, found.Invoker);
            }
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            if (Handler<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(TRequest),
                    typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)) is { } found)
            {
                context.AddServerStreamingMethod(Parsing(method), found.Metadata, found.Invoker);
            }
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            if (Handler<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>),
                    typeof(ServerCallContext)) is { } found)
            {
                context.AddClientStreamingMethod(Parsing(method), found.Metadata, found.Invoker);
            }
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            if (Handler<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name, typeof(IAsyncStreamReader<TRequest>),
                    typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)) is { } found)
            {
                context.AddDuplexStreamingMethod(Parsing(method), found.Metadata, found.Invoker);
            }
        }

        /// <summary>
        /// The service's override of the generated method, and its endpoint metadata as grpc-dotnet gives it: the
        /// class's attributes, then the method's (higher priority), then POST. A method the service does not override
        /// is left out, and grpc-dotnet answers it UNIMPLEMENTED.
        /// </summary>
        private (TDelegate Invoker, List<object> Metadata)? Handler<TDelegate>(string name, params Type[] parameters) where TDelegate : Delegate
        {
            for (var type = typeof(TService); type is not null && type != declaringType; type = type.BaseType)
            {
                var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly, null, parameters, null);
                if (method is { IsVirtual: true } && method.GetBaseDefinition().DeclaringType == declaringType)
                {
                    List<object> metadata = [.. typeof(TService).GetCustomAttributes(inherit: true), .. method.GetCustomAttributes(inherit: true)];
                    metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
                    return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), method), metadata);
                }
            }
            return null;
        }

        private static Method<TRequest, TResponse> Parsing<TRequest, TResponse>(Method<TRequest, TResponse> method)
            where TRequest : class where TResponse : class
        {
            var requests = method.RequestMarshaller;
            var name = typeof(TRequest).GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is MessageDescriptor descriptor
                ? descriptor.FullName
                : typeof(TRequest).Name;
            var parsing = new Marshaller<TRequest>(requests.ContextualSerializer, deserialization =>
            {
                try
                {
                    return requests.ContextualDeserializer(deserialization);
                }
                catch (InvalidProtocolBufferException e)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument,
                        $"The request is not a valid {name} message: {e.Message} Send a message encoded from the published proto."));
                }
            });
            return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, parsing, method.ResponseMarshaller);
        }
    }
}
