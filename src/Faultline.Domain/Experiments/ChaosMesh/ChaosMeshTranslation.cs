namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// The outcome of translating a Chaos Mesh manifest: the experiment (null when any error was reported), what
/// was knowingly left out or assumed (<see cref="Warnings"/>), and where each source field went
/// (<see cref="Mapping"/>) so the API can show the translation side by side.
/// </summary>
public sealed record ChaosMeshTranslation(
    ExperimentSpec? Experiment,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<TranslatedField> Mapping);
