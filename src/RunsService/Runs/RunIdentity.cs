using System.Security.Cryptography;
using System.Text;

namespace TenantAtlas.RunsService.Runs;

/// <summary>
/// The run identity hash: SHA-256 over a canonical, unambiguous encoding of what makes two starts "the same
/// work". docs/contract.md ("Run identity") specifies it for clients in other languages; keep the two in step.
/// </summary>
public static class RunIdentity
{
    /// <summary>First line of the canonical encoding; a new encoding gets a new version.</summary>
    public const string EncodingVersion = "tenantatlas.run-identity.v1";

    /// <summary>
    /// Canonical encoding, UTF-8, one field per line, each line ending in "\n":
    /// <c>tenantatlas.run-identity.v1</c>, <c>workspace:{uuid}</c>, <c>tenant:{uuid or empty}</c>, <c>type:{type}</c>,
    /// <c>policy:{while_active|per_click|once}</c>, <c>click:{click id or empty}</c>, <c>inputs:{count}</c>, then per
    /// input, sorted by the UTF-8 bytes of the key: <c>{byte length of key}:{key}={byte length of value}:{value}</c>.
    /// UUIDs are lowercase and hyphenated. Length prefixes make every encoding unambiguous.
    /// </summary>
    public static string Canonical(Guid workspaceId, Guid? tenantId, string type, IdentityPolicyName policy,
        string clickId, IReadOnlyDictionary<string, string> inputs)
    {
        var builder = new StringBuilder(256)
            .Append(EncodingVersion).Append('\n')
            .Append("workspace:").Append(workspaceId.ToString("D")).Append('\n')
            .Append("tenant:").Append(tenantId?.ToString("D") ?? string.Empty).Append('\n')
            .Append("type:").Append(type).Append('\n')
            .Append("policy:").Append(policy.Value).Append('\n')
            .Append("click:").Append(clickId).Append('\n')
            .Append("inputs:").Append(inputs.Count).Append('\n');

        foreach (var (key, value) in inputs.OrderBy(pair => Encoding.UTF8.GetBytes(pair.Key), Utf8ByteOrder.Instance))
        {
            builder.Append(Encoding.UTF8.GetByteCount(key)).Append(':').Append(key)
                .Append('=').Append(Encoding.UTF8.GetByteCount(value)).Append(':').Append(value).Append('\n');
        }
        return builder.ToString();
    }

    /// <summary>Lowercase hex SHA-256 of the canonical encoding's UTF-8 bytes.</summary>
    public static string Hash(Guid workspaceId, Guid? tenantId, string type, IdentityPolicyName policy,
        string clickId, IReadOnlyDictionary<string, string> inputs) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            Canonical(workspaceId, tenantId, type, policy, clickId, inputs))));

    /// <summary>Unsigned byte-wise order, the same in every language (UTF-16 ordinal order is not).</summary>
    private sealed class Utf8ByteOrder : IComparer<byte[]>
    {
        public static readonly Utf8ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y.AsSpan());
    }
}
