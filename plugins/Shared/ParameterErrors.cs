using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Shared;

/// <summary>Validation errors as text.</summary>
internal static class ParameterErrors
{
    /// <summary>Every error of a refused configuration in one line, for the exception a query with it throws.</summary>
    public static string Describe(IEnumerable<ParameterError> errors) => string.Join("; ", errors.Select(e => $"{e.Path} {e.Message}"));
}
