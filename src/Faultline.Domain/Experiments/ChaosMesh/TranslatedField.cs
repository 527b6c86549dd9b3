namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>
/// One field of a Chaos Mesh manifest (<c>$.spec.delay.latency</c>) and where its value went in the Faultline
/// experiment (<c>$.spec.method[0].params.latency</c>). A source may feed several targets and the reverse.
/// </summary>
public sealed record TranslatedField(string Source, string Target);
