namespace Faultline.Bench.Engine;

/// <summary>
/// One abort run, in milliseconds on PostgreSQL's clock. <paramref name="TotalMs"/> runs from the breach at the
/// source (the health switch flipping to 500, or the gauge changing on the scrape target) to the last fault of
/// the run recorded removed; it splits at the first breaching guardrail sample into detection (waiting for the
/// next sample, and for Prometheus the next scrape) and reaction (the engine's abort and rollback).
/// <paramref name="StampErrorMs"/> bounds how early the breach's stamp may be (the stamp query's round trip).
/// <paramref name="RelayMs"/> is the part of detection until Prometheus scraped the breach (null on the http path).
/// </summary>
internal sealed record AbortSample(double TotalMs, double DetectionMs, double ReactionMs, double StampErrorMs, double? RelayMs);
