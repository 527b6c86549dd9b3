using Faultline.Domain.Validation;

namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// What one translation has found so far: errors (forwarded to the caller's <see cref="ValidationErrors"/> and
/// counted, since the caller's collection may already hold errors of its own), warnings and the mapping.
/// </summary>
internal sealed class TranslationContext(ValidationErrors errors)
{
    private readonly List<string> _warnings = [];
    private readonly List<TranslatedField> _mapping = [];

    public int ErrorCount { get; private set; }

    public IReadOnlyList<string> Warnings => _warnings;

    public IReadOnlyList<TranslatedField> Mapping => _mapping;

    public void Error(string path, string message)
    {
        errors.Add(path, message);
        ErrorCount++;
    }

    public void Warn(string path, string message) => _warnings.Add($"{path}: {message}");

    public void Map(string source, string target) => _mapping.Add(new TranslatedField(source, target));
}
