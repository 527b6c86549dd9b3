namespace Faultline.Plugins.Http;

/// <summary>What a query of the http provider measures over the outcomes of one probe.</summary>
internal enum ProbeMeasure
{
    SuccessRatio,
    LatencyP50,
    LatencyP90,
    LatencyP99,
    LatencyMax,
    ErrorCount,
    StatusCount,
}
