using System.Text.Json;
using Faultline.Domain.Experiments.ChaosMesh;
using Faultline.Storage.Experiments;

namespace Faultline.Api.Features.Experiments;

/// <summary>
/// An experiment: the normalized <c>faultline.dev/v1</c> spec, the source as submitted, and (when it came from
/// Chaos Mesh) where each manifest field went. Warnings are about running it (a plugin not installed yet).
/// </summary>
public sealed record ExperimentResponse(
    Guid Id,
    string Name,
    Guid? TeamId,
    string SourceFormat,
    JsonElement Spec,
    string Source,
    IReadOnlyList<string> Warnings,
    TranslationResponse? Translation,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Version)
{
    public static ExperimentResponse From(ExperimentRecord record, CheckedExperiment? checkedExperiment = null)
    {
        using var spec = JsonDocument.Parse(record.Spec);
        return new ExperimentResponse(
            record.Id, record.Name, record.TeamId, record.SourceFormat, spec.RootElement.Clone(), record.SourceText,
            checkedExperiment?.Warnings ?? [], TranslationResponse.From(checkedExperiment?.Translation),
            record.CreatedAt, record.UpdatedAt, record.Version);
    }
}

/// <summary>For Chaos Mesh input: each source field and where it went, so nothing is silently dropped.</summary>
public sealed record TranslationResponse(string SourceApiVersion, IReadOnlyList<TranslatedField> Mapping)
{
    public static TranslationResponse? From(ChaosMeshTranslation? translation) =>
        translation is null ? null : new TranslationResponse(ChaosMeshTranslator.ApiVersion, translation.Mapping);
}

/// <summary>The answer of a dry validation: the experiment as it would be stored, without storing it.</summary>
public sealed record ExperimentValidationResponse(JsonElement Spec, string SourceFormat, IReadOnlyList<string> Warnings, TranslationResponse? Translation);
