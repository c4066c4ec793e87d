namespace TenantAtlas.ServiceDefaults;

/// <summary>
/// Collects every field violation of a request, so the caller learns all of them at once, then throws one
/// <see cref="RequestValidationException"/> (INVALID_ARGUMENT with google.rpc.BadRequest details).
/// </summary>
public sealed class RequestValidator
{
    /// <summary>
    /// Violations listed in one answer. The details travel in a trailer, and HTTP/2 clients refuse headers past a few
    /// dozen KiB: a request with thousands of bad elements must still get a readable INVALID_ARGUMENT.
    /// </summary>
    public const int MaxListedViolations = 20;

    private readonly List<FieldViolation> violations = [];
    private int unlisted;

    public void Add(string field, string description)
    {
        if (violations.Count < MaxListedViolations)
        {
            violations.Add(new FieldViolation(field, description));
        }
        else
        {
            unlisted++;
        }
    }

    /// <summary>
    /// The elements of a repeated field, or none when there are more than <paramref name="max"/>; then one violation
    /// says so, and the elements are not looked at (100,000 of them are refused at once, not validated one by one).
    /// </summary>
    public IReadOnlyList<T> AtMost<T>(string field, IReadOnlyList<T> values, int max)
    {
        if (values.Count <= max)
        {
            return values;
        }
        Add(field, $"at most {max} values (got {values.Count}).");
        return [];
    }

    /// <summary>A required UUID.</summary>
    public Guid RequiredId(string field, string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(field, "is required (a UUID).");
            return Guid.Empty;
        }
        return ParseId(field, value);
    }

    /// <summary>An optional UUID; empty means absent.</summary>
    public Guid? OptionalId(string field, string value) => string.IsNullOrEmpty(value) ? null : ParseId(field, value);

    /// <summary>A required text of bounded length.</summary>
    public string RequiredText(string field, string value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required.");
        }
        else if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters (got {value.Length}).");
        }
        return value.Trim();
    }

    /// <summary>An optional text of bounded length ("" when not given), trimmed.</summary>
    public string OptionalText(string field, string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters (got {value.Length}).");
        }
        return value.Trim();
    }

    /// <summary>A defined enum value (proto3 enums accept any number on the wire).</summary>
    public TEnum DefinedEnum<TEnum>(string field, TEnum value) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            Add(field, $"has unknown value {Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)}; " +
                $"allowed: {string.Join(", ", Enum.GetNames<TEnum>())}.");
        }
        return value;
    }

    /// <summary>Page size: 0 means the default, larger than the cap means the cap, negative is an error.</summary>
    public int PageSize(string field, int value, int defaultSize = 50, int maxSize = 200)
    {
        if (value < 0)
        {
            Add(field, $"must not be negative (0 means {defaultSize}, at most {maxSize}).");
        }
        return value <= 0 ? defaultSize : Math.Min(value, maxSize);
    }

    /// <summary>Throws when anything was invalid.</summary>
    public void ThrowIfInvalid()
    {
        if (violations.Count > 0)
        {
            if (unlisted > 0)
            {
                violations.Add(new FieldViolation(violations[^1].Field, $"and {unlisted} more violations, not listed; fix these first."));
            }
            throw new RequestValidationException(violations);
        }
    }

    private Guid ParseId(string field, string value)
    {
        if (!Guid.TryParseExact(value, "D", out var id))
        {
            Add(field, $"must be a UUID like 01234567-89ab-cdef-0123-456789abcdef (got {Quote(value)}).");
        }
        return id;
    }

    /// <summary>Echo a bad value back, but never a long one.</summary>
    public static string Quote(string value) => value.Length <= 64 ? $"'{value}'" : $"'{value[..64]}…'";
}
