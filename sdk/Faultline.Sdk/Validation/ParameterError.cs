namespace Faultline.Sdk.Validation;

/// <summary>One problem with an input, at a JSON path relative to the parameters object (<c>$.latency</c>).</summary>
public sealed record ParameterError(string Path, string Message);
