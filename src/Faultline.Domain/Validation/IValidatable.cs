namespace Faultline.Domain.Validation;

/// <summary>A request body that checks itself and reports every error with its JSON path.</summary>
public interface IValidatable
{
    void Validate(ValidationErrors errors);
}
