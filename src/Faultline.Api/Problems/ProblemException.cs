namespace Faultline.Api.Problems;

/// <summary>
/// Thrown anywhere in request handling to answer with a problem response instead of a 500.
/// <see cref="Errors"/> keys are JSON paths (<c>$.name</c>) or query parameter names.
/// </summary>
public sealed class ProblemException : Exception
{
    public ProblemException(int status, string type, string title, string? detail = null, IDictionary<string, string[]>? errors = null)
        : base(detail ?? title)
    {
        Status = status;
        Type = type;
        Title = title;
        Detail = detail;
        Errors = errors;
    }

    public ProblemException()
        : this(500, ProblemTypes.Internal, "Internal error")
    {
    }

    public ProblemException(string message)
        : this(500, ProblemTypes.Internal, "Internal error", message)
    {
    }

    public ProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 500;
        Type = ProblemTypes.Internal;
        Title = "Internal error";
    }

    public int Status { get; }

    public string Type { get; }

    public string Title { get; }

    public string? Detail { get; }

    public IDictionary<string, string[]>? Errors { get; }

    public static ProblemException NotFound(string what) =>
        new(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found", $"{what} does not exist or is not visible to this API key.");

    public static ProblemException Forbidden(string detail) =>
        new(StatusCodes.Status403Forbidden, ProblemTypes.Forbidden, "Forbidden", detail);

    public static ProblemException Conflict(string detail) =>
        new(StatusCodes.Status409Conflict, ProblemTypes.Conflict, "Conflict", detail);

    public static ProblemException Validation(IDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, ProblemTypes.Validation, "The request is invalid", "See errors for each offending field.", errors);

    public static ProblemException Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });
}
