namespace Faultline.Sdk.Validation;

/// <summary>Every error at once, so a user can fix an experiment in one go.</summary>
public sealed record ValidationResult(IReadOnlyList<ParameterError> Errors)
{
    public static ValidationResult Valid { get; } = new([]);

    public bool IsValid => Errors.Count == 0;

    public static ValidationResult Of(params ParameterError[] errors) => new(errors);
}
