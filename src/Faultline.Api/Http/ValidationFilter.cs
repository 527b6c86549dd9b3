using Faultline.Api.Problems;
using Faultline.Domain.Validation;

namespace Faultline.Api.Http;

/// <summary>
/// Runs <see cref="IValidatable.Validate"/> on every body argument before the handler, so a handler never
/// sees an invalid request and every error is reported at once.
/// </summary>
public sealed class ValidationFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is IValidatable validatable)
            {
                var errors = new ValidationErrors();
                validatable.Validate(errors);
                if (!errors.IsEmpty)
                {
                    throw ProblemException.Validation(errors.ToDictionary());
                }
            }
        }

        return await next(context);
    }
}
