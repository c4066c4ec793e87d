using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Serialization.Json;

namespace TenantAtlas.PolicyCorpus;

/// <summary>What the corpus is generated with: a name prefix, and the template and groups a compliance notification uses.</summary>
public sealed record CorpusOptions
{
    public string NamePrefix { get; init; } = "Corpus";

    /// <summary>The notification action's template (Graph's zero id: none).</summary>
    public string NotificationTemplateId { get; init; } = "00000000-0000-0000-0000-000000000000";

    /// <summary>The notification action's CC list (group ids).</summary>
    public IReadOnlyList<string> CcGroupIds { get; init; } = [];
}

/// <summary>One policy of the corpus: its type, family, the SDK model and that model as Graph's JSON, with every value's pointer.</summary>
public sealed record CorpusPolicy(string ODataType, string Family, string DisplayName, Entity Model, JsonObject Json, IReadOnlyList<string> SettingPaths)
{
    /// <summary>Properties of the type the SDK never writes (Graph's metadata marks them read-only), left unset.</summary>
    public IReadOnlyList<string> ReadOnlyProperties { get; init; } = [];
}

/// <summary>
/// The independent oracle of backup and restore: one policy of every concrete v1.0 device configuration and compliance
/// type (<see cref="CorpusTypes"/>) with every writable property set to a non-default, type-correct value, nested complex
/// values filled and two items in every collection, serialized by the SDK's own JSON writer so names and enum spellings
/// are Graph's. Nothing here comes from the product's code. Deterministic: the same options give the same bytes.
/// Not set: the entity key and service-maintained values (id, createdDateTime, lastModifiedDateTime, version: "Key of the
/// entity", "DateTime the object was created/last modified", learn.microsoft.com/graph/api/resources/intune-deviceconfig-deviceconfiguration)
/// and relationships, which Graph writes through their own endpoints — except a compliance policy's
/// scheduledActionsForRule, which Graph requires on create with exactly one block action (INTUNE.md §2.4).
/// </summary>
public static class Corpus
{
    public const string DeviceConfigurations = "device_configurations";
    public const string CompliancePolicies = "compliance_policies";

    private static readonly HashSet<string> ServiceMaintained = ["Id", "CreatedDateTime", "LastModifiedDateTime", "Version"];
    private const int MaxDepth = 4;

    public static IReadOnlyList<CorpusPolicy> Generate(CorpusOptions? options = null)
    {
        options ??= new CorpusOptions();
        // Which subtype of each polymorphic complex type comes next: rotated across the whole corpus, so the few
        // collections of OMA settings, home screen items... cover every subtype.
        var rotation = new Dictionary<Type, int>();
        return
        [
            .. CorpusTypes.DeviceConfigurationTypes.Select(t => Policy(t, DeviceConfigurations, options, rotation)),
            .. CorpusTypes.CompliancePolicyTypes.Select(t => Policy(t, CompliancePolicies, options, rotation)),
        ];
    }

    /// <summary>The string at an RFC 6901 pointer of a corpus policy's JSON (its keys need no escaping), e.g. a secret's value.</summary>
    public static string ValueAt(JsonNode json, string path) =>
        path[1..].Split('/').Aggregate(json, (node, token) => int.TryParse(token, out var i) && node is JsonArray array ? array[i]! : node[token]!).GetValue<string>();

    /// <summary>An SDK model (or any parsable) as Graph's JSON, written by the SDK's own serialization writer.</summary>
    public static JsonObject Serialize(IParsable model)
    {
        using var writer = new JsonSerializationWriter();
        writer.WriteObjectValue(null, model);
        using var content = writer.GetSerializedContent();
        return (JsonObject)JsonNode.Parse(content)!;
    }

    private static CorpusPolicy Policy(Type type, string family, CorpusOptions options, Dictionary<Type, int> rotation)
    {
        var model = (Entity)Activator.CreateInstance(type)!;
        var odataType = CorpusTypes.ODataTypeOf(type);
        var name = $"{options.NamePrefix} - {odataType["#microsoft.graph.".Length..]}";
        var set = new List<string>();
        foreach (var property in CorpusTypes.SettableProperties(type))
        {
            if (ServiceMaintained.Contains(property.Name) || CorpusTypes.IsRelationship(property))
            {
                continue;
            }
            property.SetValue(model, property.Name switch
            {
                "DisplayName" => name,
                "Description" => $"Every writable property of {odataType} set by the corpus.",
                _ => ValueOf(property.PropertyType, $"{type.Name}.{property.Name}", depth: 0, [type], rotation),
            });
            set.Add(property.Name);
        }
        if (model is DeviceCompliancePolicy compliance)
        {
            compliance.ScheduledActionsForRule = [ScheduledActions(options)];
            set.Add(nameof(DeviceCompliancePolicy.ScheduledActionsForRule));
        }
        // The SDK's writer leaves out the properties Graph's metadata marks read-only (its generated Serialize writes only the
        // others): those are Graph's, not the policy's, and are unset again, so the model posted is the JSON compared.
        var written = Serialize(model).Select(p => p.Key).Where(k => k != "@odata.type").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var readOnly = set.Where(p => !written.Contains(p)).ToList();
        foreach (var property in readOnly)
        {
            type.GetProperty(property)!.SetValue(model, null);
        }
        var json = Serialize(model);
        if (json.Count - 1 != set.Count - readOnly.Count)
        {
            throw new InvalidOperationException($"{odataType}: {set.Count - readOnly.Count} values set, {json.Count - 1} written by the SDK.");
        }
        return new CorpusPolicy(odataType, family, name, model, json, LeafPaths(json, string.Empty)) { ReadOnlyProperties = readOnly };
    }

    /// <summary>One rule (Graph's ruleName is always PasswordRequired) with the one block action Graph requires and a notification.</summary>
    private static DeviceComplianceScheduledActionForRule ScheduledActions(CorpusOptions options) => new()
    {
        RuleName = "PasswordRequired",
        ScheduledActionConfigurations =
        [
            new DeviceComplianceActionItem { ActionType = DeviceComplianceActionType.Block, GracePeriodHours = 0, NotificationTemplateId = "", NotificationMessageCCList = [] },
            new DeviceComplianceActionItem
            {
                ActionType = DeviceComplianceActionType.Notification, GracePeriodHours = 24, NotificationTemplateId = options.NotificationTemplateId,
                NotificationMessageCCList = [.. options.CcGroupIds],
            },
        ],
    };

    /// <summary>A non-default, type-correct value of <paramref name="type"/>, varied by <paramref name="key"/> (the owner's type and property).</summary>
    private static object? ValueOf(Type type, string key, int depth, IReadOnlyList<Type> owners, Dictionary<Type, int> rotation)
    {
        var seed = Seed(key);
        var plain = Nullable.GetUnderlyingType(type) ?? type;
        if (plain == typeof(string))
        {
            return key;
        }
        if (plain == typeof(bool))
        {
            // Graph's default for a boolean setting is false.
            return true;
        }
        if (plain == typeof(int))
        {
            return 1 + (int)(seed % 97);
        }
        if (plain == typeof(long))
        {
            return 1_000L + seed % 997;
        }
        if (plain == typeof(double))
        {
            return 1.5 + seed % 89;
        }
        if (plain == typeof(float))
        {
            return 2.5f + seed % 83;
        }
        if (plain == typeof(DateTimeOffset))
        {
            return new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero).AddMinutes(seed % 1_000);
        }
        if (plain == typeof(Date))
        {
            return new Date(2026, 1 + (int)(seed % 12), 1 + (int)(seed % 27));
        }
        if (plain == typeof(Time))
        {
            return new Time(1 + (int)(seed % 22), (int)(seed % 59), 0);
        }
        if (plain == typeof(TimeSpan))
        {
            return TimeSpan.FromMinutes(5 + seed % 300);
        }
        if (plain == typeof(Guid))
        {
            return new Guid((int)seed, 1, 2, [3, 4, 5, 6, 7, 8, 9, (byte)(seed % 251)]);
        }
        if (plain == typeof(byte[]))
        {
            return new byte[] { 0x43, 0x6f, 0x72, (byte)(seed % 251) };
        }
        if (plain.IsEnum)
        {
            return EnumValue(plain, seed, 0);
        }
        if (plain.IsGenericType && plain.GetGenericTypeDefinition() == typeof(List<>))
        {
            var element = plain.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(plain)!;
            for (var i = 0; i < 2; i++)
            {
                var item = (Nullable.GetUnderlyingType(element) ?? element).IsEnum
                    ? EnumValue(Nullable.GetUnderlyingType(element) ?? element, seed, i)
                    : ValueOf(element, $"{key}[{i}]", depth, owners, rotation);
                if (item is not null)
                {
                    list.Add(item);
                }
            }
            return list;
        }
        if (typeof(IParsable).IsAssignableFrom(plain) && !typeof(Entity).IsAssignableFrom(plain))
        {
            return Complex(plain, key, depth, owners, rotation);
        }
        throw new NotSupportedException($"The corpus has no value for {key} of type {type.Name}: add one.");
    }

    /// <summary>
    /// A complex value filled recursively; of a polymorphic complex type, its concrete subtypes in turn (so two items of a
    /// collection are of different subtypes, and the corpus covers every subtype its collections have room for).
    /// </summary>
    private static object? Complex(Type type, string key, int depth, IReadOnlyList<Type> owners, Dictionary<Type, int> rotation)
    {
        if (depth >= MaxDepth || owners.Contains(type))
        {
            return null;
        }
        var leaves = CorpusTypes.LeavesOf(type);
        var turn = rotation.GetValueOrDefault(type);
        rotation[type] = turn + 1;
        var chosen = leaves.Count == 0 ? type : leaves[turn % leaves.Count];
        var value = Activator.CreateInstance(chosen)!;
        foreach (var property in CorpusTypes.SettableProperties(chosen).Where(p => !CorpusTypes.IsRelationship(p)))
        {
            if (ValueOf(property.PropertyType, $"{key}.{chosen.Name}.{property.Name}", depth + 1, [.. owners, type], rotation) is { } nested)
            {
                property.SetValue(value, nested);
            }
        }
        return value;
    }

    /// <summary>
    /// A member other than the first (the first is Graph's default or "not configured") and other than
    /// unknownFutureValue (Graph's sentinel for members a client does not know yet); of a flags enum, one non-zero flag.
    /// </summary>
    private static object EnumValue(Type type, long seed, int offset)
    {
        var members = Enum.GetValues(type).Cast<object>()
            .Where(m => !string.Equals(Enum.GetName(type, m), "UnknownFutureValue", StringComparison.Ordinal))
            .Where(m => Convert.ToInt64(m, System.Globalization.CultureInfo.InvariantCulture) != 0 || !type.IsDefined(typeof(FlagsAttribute)))
            .ToList();
        var choices = members.Count > 1 && !type.IsDefined(typeof(FlagsAttribute)) ? members.Skip(1).ToList() : members;
        return choices[(int)((seed + offset) % choices.Count)];
    }

    private static List<string> LeafPaths(JsonNode? node, string path) => node switch
    {
        JsonObject obj => [.. obj.SelectMany(p => LeafPaths(p.Value, $"{path}/{p.Key.Replace("~", "~0").Replace("/", "~1")}"))],
        JsonArray array => [.. array.SelectMany((item, i) => LeafPaths(item, $"{path}/{i}"))],
        _ => [path],
    };

    /// <summary>A stable (FNV-1a) hash of the key, so values vary by property yet never between runs.</summary>
    private static long Seed(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }
}
