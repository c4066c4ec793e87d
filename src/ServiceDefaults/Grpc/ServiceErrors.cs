namespace TenantAtlas.ServiceDefaults;

// Domain errors. Grpc/ErrorMappingInterceptor turns each into its gRPC status; messages are written for the
// caller and must never carry secrets or internals.

/// <summary>One invalid field of a request.</summary>
public sealed record FieldViolation(string Field, string Description);

/// <summary>The request is malformed: INVALID_ARGUMENT with the field violations as details.</summary>
public sealed class RequestValidationException(IReadOnlyList<FieldViolation> violations)
    : Exception(string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")))
{
    public IReadOnlyList<FieldViolation> Violations { get; } = violations;

    public RequestValidationException(string field, string description) : this([new FieldViolation(field, description)])
    {
    }
}

/// <summary>
/// The thing does not exist, or the caller may not know it exists (not a member, not entitled): NOT_FOUND.
/// </summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>A member lacks the capability: PERMISSION_DENIED.</summary>
public sealed class PermissionDeniedException(string message) : Exception(message);

/// <summary>The token identifies no usable caller: UNAUTHENTICATED.</summary>
public sealed class UnauthenticatedException(string message) : Exception(message);

/// <summary>The request is valid but the current state forbids it (e.g. a completed run): FAILED_PRECONDITION.</summary>
public sealed class FailedPreconditionException(string message) : Exception(message);

/// <summary>A concurrent actor has taken over what the caller was doing (e.g. a newer attempt at a run): ABORTED.</summary>
public sealed class AbortedException(string message) : Exception(message);

/// <summary>The thing to create exists already: ALREADY_EXISTS.</summary>
public sealed class AlreadyExistsException(string message) : Exception(message);
