using System.Globalization;
using System.Reflection;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace TenantAtlas.Testing.Fuzzing;

/// <summary>
/// Sends every <see cref="ProtobufMutations"/> of a valid request to each unary RPC a host serves, as raw bytes, and
/// reports every answer that is not a caller-error status (UNKNOWN, INTERNAL, …) and every row written by a call that failed.
/// The RPCs come from the host's endpoints and the generated service descriptors, so a new RPC is fuzzed without a test edit.
/// </summary>
public sealed class GrpcFuzzer(Func<MethodDescriptor, CallInvoker> invoker, IReadOnlyDictionary<string, string> known)
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);

    /// <summary>The answers to a mutation that cannot parse: the caller's mistake, or too large.</summary>
    private static readonly StatusCode[] Refusals = [StatusCode.InvalidArgument, StatusCode.ResourceExhausted];

    /// <summary>The documented answers (docs/contract.md) to a request that parsed but is wrong, or success.</summary>
    private static readonly StatusCode[] CallerErrors =
    [
        StatusCode.OK, StatusCode.InvalidArgument, StatusCode.ResourceExhausted, StatusCode.NotFound, StatusCode.PermissionDenied,
        StatusCode.FailedPrecondition, StatusCode.Unauthenticated, StatusCode.AlreadyExists,
    ];

    /// <summary>An error answer's trailers beyond this risk a client's header limit (SocketsHttpHandler's is 64 KiB).</summary>
    private const int MaxTrailerBytes = 16 * 1024;

    /// <summary><c>FUZZ_SEED</c> to reproduce or explore; a fixed seed otherwise, so a run is repeatable.</summary>
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : 20_250_612;

    /// <summary>Every unary method of every generated gRPC service mapped by the host.</summary>
    public static IReadOnlyList<MethodDescriptor> ServedUnaryMethods(IServiceProvider host) =>
        [.. host.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>())
            .OfType<GrpcMethodMetadata>()
            .Select(m => (Service: ServiceDescriptorOf(m.ServiceType), m.Method.Name))
            .Where(m => m.Service is not null)
            .Select(m => m.Service!.FindMethodByName(m.Name))
            .Where(m => m is { IsClientStreaming: false, IsServerStreaming: false })
            .DistinctBy(m => m.FullName)
            .OrderBy(m => m.FullName, StringComparer.Ordinal)];

    private static ServiceDescriptor? ServiceDescriptorOf(Type implementation)
    {
        for (var type = implementation; type is not null; type = type.BaseType)
        {
            if (type.GetCustomAttribute<BindServiceMethodAttribute>(inherit: false) is { } bind)
            {
                return bind.BindType.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as ServiceDescriptor;
            }
        }
        return null;
    }

    /// <summary>
    /// Every mutation of a sample request to <paramref name="method"/>: the problems found, each naming the mutation and
    /// the seed. <paramref name="rows"/> counts the rows a call could write; more may appear than calls succeeded only never.
    /// </summary>
    public async Task<IReadOnlyList<string>> FuzzAsync(MethodDescriptor method, Func<Task<long>> rows)
    {
        var problems = new List<string>();
        var call = new Method<byte[], byte[]>(MethodType.Unary, method.Service.FullName, method.Name, Raw, Raw);
        var before = await rows();
        var succeeded = 0;
        foreach (var mutation in ProtobufMutations.Of(method.InputType, ProtobufMutations.Sample(method.InputType, known), Seed))
        {
            var (code, detail, trailerBytes) = await AnswerAsync(invoker(method), call, mutation.Body);
            succeeded += code == StatusCode.OK ? 1 : 0;
            if (!(mutation.Unparsable ? Refusals : CallerErrors).Contains(code))
            {
                problems.Add($"{method.FullName}, {mutation.Name} (seed {Seed}): {code} {detail}");
            }
            if (trailerBytes > MaxTrailerBytes)
            {
                problems.Add($"{method.FullName}, {mutation.Name} (seed {Seed}): {code} with {trailerBytes:N0} bytes of trailers");
            }
        }
        var written = await rows() - before;
        if (written > succeeded)
        {
            problems.Add($"{method.FullName} (seed {Seed}): {written} rows written, but only {succeeded} calls succeeded");
        }
        return problems;
    }

    private static async Task<(StatusCode Code, string Detail, int TrailerBytes)> AnswerAsync(CallInvoker invoker, Method<byte[], byte[]> call, byte[] body)
    {
        try
        {
            await invoker.AsyncUnaryCall(call, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)), body);
            return (StatusCode.OK, string.Empty, 0);
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail, e.Trailers.Sum(t => t.Key.Length + (t.IsBinary ? t.ValueBytes.Length : t.Value.Length)));
        }
    }
}
