using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace TenantAtlas.Testing.Fuzzing;

/// <summary>
/// One mutated request body. <see cref="Unparsable"/> mutations can never be a valid message (invalid UTF-8, nesting
/// past the parser's limit, an impossible wire type, a body over the size limit, 100,000 repeated elements), so the only
/// right answers are INVALID_ARGUMENT and RESOURCE_EXHAUSTED; the others may happen to parse into a valid-but-wrong
/// request, which any caller-error status (or success) answers.
/// </summary>
public sealed record Mutation(string Name, byte[] Body, bool Unparsable);

/// <summary>
/// Deterministic mutations of a valid request's protobuf bytes, derived from the request's descriptor so that a new
/// field or a new RPC is covered without editing a list. Everything random comes from one seeded Random.
/// </summary>
public static class ProtobufMutations
{
    /// <summary>Past google.protobuf's default recursion limit (100), whatever one level of the cycle costs.</summary>
    private const int NestingLevels = 120;

    public const int RepeatedElements = 100_000;

    /// <summary>Over the suite's 4 MiB request limit and any framework default.</summary>
    public const int HugeBytes = 10 * 1024 * 1024 + 1;

    /// <summary>
    /// A valid-looking request of <paramref name="message"/>: every singular scalar field set, strings and numbers from
    /// <paramref name="known"/> by field name when it has one (a real workspace id, a legal status), else a fresh UUID or 1.
    /// </summary>
    public static byte[] Sample(MessageDescriptor message, IReadOnlyDictionary<string, string> known)
    {
        using var bytes = new MemoryStream();
        var output = new CodedOutputStream(bytes);
        foreach (var field in message.Fields.InFieldNumberOrder().Where(f => !f.IsRepeated && !f.IsMap))
        {
            var value = known.GetValueOrDefault(field.Name);
            switch (field.FieldType)
            {
                case FieldType.String:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                    output.WriteString(value ?? Guid.NewGuid().ToString());
                    break;
                case FieldType.Enum or FieldType.Int32 or FieldType.Int64 or FieldType.UInt32 or FieldType.UInt64 or FieldType.Bool:
                    output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                    output.WriteInt64(value is null ? 1 : long.Parse(value, CultureInfo.InvariantCulture));
                    break;
            }
        }
        output.Flush();
        return bytes.ToArray();
    }

    /// <summary>Every mutation of <paramref name="valid"/> (bytes of a <paramref name="message"/>), drawn from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<Mutation> Of(MessageDescriptor message, byte[] valid, int seed)
    {
        var random = new Random(seed);
        var mutations = new List<Mutation>();
        foreach (var at in new[] { 1, valid.Length / 2, valid.Length - 1, random.Next(1, Math.Max(2, valid.Length)) }.Where(n => n > 0 && n < valid.Length).Distinct())
        {
            mutations.Add(new($"truncated to {at} of {valid.Length} bytes", valid[..at], false));
        }
        for (var i = 0; i < 4 && valid.Length > 0; i++)
        {
            var flipped = (byte[])valid.Clone();
            var index = random.Next(flipped.Length);
            flipped[index] ^= (byte)random.Next(1, 256);
            mutations.Add(new($"byte {index} xor-ed to 0x{flipped[index]:x2}", flipped, false));
        }
        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            mutations.Add(new($"{field.Name} (#{field.FieldNumber}) sent with another wire type", Concat(valid, WrongWireType(field)), false));
            if (field.FieldType == FieldType.String || (field.IsMap && field.MessageType.FindFieldByNumber(1).FieldType == FieldType.String))
            {
                mutations.Add(new($"invalid UTF-8 in {field.Name}", Concat(valid, InvalidUtf8(field)), true));
            }
            if (field.IsRepeated)
            {
                mutations.Add(new($"{RepeatedElements:N0} elements in {field.Name}", Concat(valid, Repeated(field)), true));
            }
        }
        if (NestingCycle(message) is { } cycle)
        {
            mutations.Add(new($"nested {NestingLevels} times through {string.Join(" → ", cycle.Select(f => f.FullName))}",
                Concat(valid, Nested(cycle)), true));
        }
        mutations.Add(new("an unknown group nested 200 deep", Concat(valid, UnknownGroups(200)), true));
        mutations.Add(new("wire type 7 (none exists)", Concat(valid, [.. Varint((ulong)Tag(1, 7)), 0x01]), true));
        mutations.Add(new("an end-group tag with no group open", Concat(valid, Varint((ulong)Tag(1, 4))), true));
        mutations.Add(new("a length prefix past the end of the body", Concat(valid, [.. Varint((ulong)Tag(1000, 2)), 0xff, 0xff, 0x03, 0x01]), true));
        mutations.Add(new($"{HugeBytes:N0}-byte body", Concat(valid, Field(1000, new byte[HugeBytes])), true));
        return mutations;
    }

    private static byte[] WrongWireType(FieldDescriptor field) =>
        field.IsRepeated || field.FieldType is FieldType.String or FieldType.Bytes or FieldType.Message
            ? [.. Varint((ulong)Tag(field.FieldNumber, 0)), 0x2a]                    // a varint where a length-delimited value belongs
            : [.. Varint((ulong)Tag(field.FieldNumber, 2)), 0x03, 0x61, 0x62, 0x63]; // bytes where a number belongs

    private static byte[] InvalidUtf8(FieldDescriptor field)
    {
        byte[] broken = [0x61, 0xc3, 0x28, 0xff, 0xfe];
        return field.IsMap
            ? Field(field.FieldNumber, [.. Field(1, broken), .. Field(2, [0x76])])
            : Field(field.FieldNumber, broken);
    }

    /// <summary>100,000 elements of a repeated field or map, each a distinct small valid value (packed for numbers).</summary>
    private static byte[] Repeated(FieldDescriptor field)
    {
        using var bytes = new MemoryStream();
        if (!field.IsMap && field.FieldType is FieldType.Enum or FieldType.Int32 or FieldType.Int64 or FieldType.Bool)
        {
            return Field(field.FieldNumber, Enumerable.Repeat((byte)0x01, RepeatedElements).ToArray());
        }
        for (var i = 0; i < RepeatedElements; i++)
        {
            var text = System.Text.Encoding.UTF8.GetBytes("x" + i.ToString(CultureInfo.InvariantCulture));
            bytes.Write(Field(field.FieldNumber, field.IsMap ? [.. Field(1, text), .. Field(2, [0x76])]
                : field.FieldType == FieldType.Message ? [] : text));
        }
        return bytes.ToArray();
    }

    /// <summary>The message fields leading from <paramref name="root"/> through a message type that contains itself (Struct → Value → Struct), or null.</summary>
    private static IReadOnlyList<FieldDescriptor>? NestingCycle(MessageDescriptor root)
    {
        var path = new List<FieldDescriptor>();
        var onPath = new List<MessageDescriptor> { root };
        return Search(root);

        IReadOnlyList<FieldDescriptor>? Search(MessageDescriptor message)
        {
            foreach (var field in message.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Message))
            {
                path.Add(field);
                var start = onPath.IndexOf(field.MessageType);
                if (start >= 0)
                {
                    return [.. path]; // the way in, then the cycle (its last field leads back to a type on the way)
                }
                if (start < 0)
                {
                    onPath.Add(field.MessageType);
                    if (Search(field.MessageType) is { } found)
                    {
                        return found;
                    }
                    onPath.RemoveAt(onPath.Count - 1);
                }
                path.RemoveAt(path.Count - 1);
            }
            return null;
        }
    }

    /// <summary>The cycle's fields (the last field closes it) repeated until the nesting passes the limit, the prefix once.</summary>
    private static byte[] Nested(IReadOnlyList<FieldDescriptor> path)
    {
        var closing = path[^1].MessageType;
        var cycleStart = path.ToList().FindIndex(f => f.ContainingType == closing);
        var (prefix, cycle) = (path.Take(cycleStart).ToList(), path.Skip(cycleStart).ToList());
        byte[] inner = [];
        for (var level = 0; level < NestingLevels; level++)
        {
            for (var i = cycle.Count - 1; i >= 0; i--)
            {
                inner = Field(cycle[i].FieldNumber, inner);
            }
        }
        for (var i = prefix.Count - 1; i >= 0; i--)
        {
            inner = Field(prefix[i].FieldNumber, inner);
        }
        return inner;
    }

    private static byte[] UnknownGroups(int depth)
    {
        var bytes = new List<byte>();
        bytes.AddRange(Enumerable.Repeat((byte)Tag(15, 3), depth));
        bytes.AddRange(Enumerable.Repeat((byte)Tag(15, 4), depth));
        return [.. bytes];
    }

    private static int Tag(int field, int wireType) => (field << 3) | wireType;

    private static byte[] Field(int number, byte[] payload) =>
        [.. Varint((ulong)Tag(number, 2)), .. Varint((ulong)payload.Length), .. payload];

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] Concat(byte[] a, byte[] b) => [.. a, .. b];
}
