using System.Reflection;
using Microsoft.Graph.Models;

namespace TenantAtlas.PolicyCorpus;

/// <summary>
/// The policy types of the corpus, found by reflection over the v1.0 SDK's models (Graph's own description of every
/// type), never listed by hand: every concrete subtype of <see cref="DeviceConfiguration"/> and of
/// <see cref="DeviceCompliancePolicy"/>. "Concrete" is a leaf of the hierarchy: a model another model derives from is one
/// of Graph's abstract intermediates (appleDeviceFeaturesConfigurationBase is abstract in Graph's metadata even though the
/// generated C# class is not), and Graph refuses to create an abstract type.
/// </summary>
public static class CorpusTypes
{
    public static IReadOnlyList<Type> DeviceConfigurationTypes { get; } = LeavesOf(typeof(DeviceConfiguration));

    public static IReadOnlyList<Type> CompliancePolicyTypes { get; } = LeavesOf(typeof(DeviceCompliancePolicy));

    /// <summary>The leaf subtypes of <paramref name="root"/> among the SDK's models (root excluded), by name.</summary>
    public static IReadOnlyList<Type> LeavesOf(Type root)
    {
        var models = root.Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract && t.Namespace == root.Namespace).ToList();
        return [.. models
            .Where(t => t != root && root.IsAssignableFrom(t) && !models.Any(other => other.BaseType == t))
            .OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    /// <summary>Graph's @odata.type of a model type, as its constructor sets it.</summary>
    public static string ODataTypeOf(Type model) =>
        (string?)model.GetProperty("OdataType")!.GetValue(Activator.CreateInstance(model))
        ?? throw new InvalidOperationException($"{model.Name} sets no @odata.type.");

    /// <summary>Properties a model declares or inherits that a caller may set (the backing store and open-type bag excluded).</summary>
    public static IEnumerable<PropertyInfo> SettableProperties(Type model) =>
        model.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && p.Name is not ("AdditionalData" or "BackingStore" or "OdataType"))
            .OrderBy(p => p.Name, StringComparer.Ordinal);

    /// <summary>A relationship (navigation property): its type is an <see cref="Entity"/> or a collection of entities.</summary>
    public static bool IsRelationship(PropertyInfo property) => typeof(Entity).IsAssignableFrom(ElementType(property.PropertyType));

    /// <summary>The element type of a collection type, else the (non-nullable) type itself.</summary>
    public static Type ElementType(Type type)
    {
        var plain = Nullable.GetUnderlyingType(type) ?? type;
        return plain.IsGenericType && plain.GetGenericTypeDefinition() == typeof(List<>)
            ? Nullable.GetUnderlyingType(plain.GetGenericArguments()[0]) ?? plain.GetGenericArguments()[0]
            : plain;
    }
}
