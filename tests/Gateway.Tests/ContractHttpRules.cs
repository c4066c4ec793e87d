using System.Reflection;
using System.Text.RegularExpressions;
using Google.Api;
using Google.Protobuf.Reflection;
using TenantAtlas.Runs.V1;
using TenantAtlas.Testing;

namespace TenantAtlas.Gateway.Tests;

/// <summary>One google.api.http binding of an rpc, read from the compiled contracts, with the rpc's proto comment.</summary>
public sealed record HttpBinding(string Rpc, string Method, string OpenApiPath, string Comment);

/// <summary>The REST surface the contracts declare: every binding (additional_bindings too) of every rpc of every proto.</summary>
public static partial class ContractHttpRules
{
    /// <summary>Every proto file compiled into the contracts (their generated <c>…Reflection.Descriptor</c>s).</summary>
    public static IReadOnlyList<FileDescriptor> Files() =>
        [.. typeof(RunsReflection).Assembly.GetTypes()
            .Select(type => type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null))
            .OfType<FileDescriptor>()];

    public static IReadOnlyList<HttpBinding> Bindings() =>
        [.. from file in Files()
            from service in file.Services
            from method in service.Methods
            let rule = method.GetOptions()?.GetExtension(AnnotationsExtensions.Http)
            where rule is not null
            from binding in rule.AdditionalBindings.Prepend(rule)
            select ToBinding(method, binding)];

    private static HttpBinding ToBinding(MethodDescriptor method, HttpRule rule)
    {
        var (verb, template) = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => ("get", rule.Get),
            HttpRule.PatternOneofCase.Post => ("post", rule.Post),
            HttpRule.PatternOneofCase.Put => ("put", rule.Put),
            HttpRule.PatternOneofCase.Patch => ("patch", rule.Patch),
            HttpRule.PatternOneofCase.Delete => ("delete", rule.Delete),
            HttpRule.PatternOneofCase.Custom => (rule.Custom.Kind.ToLowerInvariant(), rule.Custom.Path),
            _ => throw new InvalidOperationException($"{method.FullName} has an http rule without a pattern."),
        };
        // OpenAPI names a path variable by its JSON field path: {run_id} is {runId}, {a.b_c=x/*} is {a.bC}.
        var path = Variable().Replace(template, m => "{" + JsonPath(method.InputType, m.Groups["field"].Value) + "}");
        return new HttpBinding(method.FullName, verb, path, ProtoComment(method.File, $"rpc {method.Name}("));
    }

    private static string JsonPath(MessageDescriptor message, string fieldPath)
    {
        var field = message.FindFieldByName(fieldPath.Split('.')[0])
            ?? throw new InvalidOperationException($"{message.FullName} has no field {fieldPath}.");
        return fieldPath.Contains('.', StringComparison.Ordinal)
            ? field.JsonName + "." + JsonPath(field.MessageType, fieldPath[(fieldPath.IndexOf('.', StringComparison.Ordinal) + 1)..])
            : field.JsonName;
    }

    /// <summary>The comment lines right above the line starting with <paramref name="declaration"/> (<c>rpc Name(</c>) in the .proto source, joined.</summary>
    public static string ProtoComment(FileDescriptor file, string declaration)
    {
        var lines = File.ReadAllLines(Path.Combine(ServiceProcess.RepositoryRoot(), "protos", file.Name));
        var at = Array.FindIndex(lines, line => line.TrimStart().StartsWith(declaration, StringComparison.Ordinal));
        if (at < 0)
        {
            throw new InvalidOperationException($"{file.Name} has no line starting with {declaration}.");
        }
        var comment = new Stack<string>();
        for (var i = at - 1; i >= 0 && lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal); i--)
        {
            comment.Push(lines[i].TrimStart()[2..].Trim());
        }
        return string.Join(' ', comment);
    }

    [GeneratedRegex(@"\{(?<field>[^}=]+)(=[^}]*)?\}")]
    private static partial Regex Variable();
}
