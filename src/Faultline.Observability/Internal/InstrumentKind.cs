namespace Faultline.Observability.Internal;

/// <summary>
/// The OpenTelemetry data-model kind of an instrument. Observable and synchronous instruments of the same kind
/// share naming rules, so they map to one value here; how measurements aggregate is decided by the stream.
/// </summary>
internal enum InstrumentKind
{
    /// <summary>Monotonic sum: Prometheus <c>counter</c> with a <c>_total</c> suffix.</summary>
    Counter,

    /// <summary>Non-monotonic sum: Prometheus has no such type, so it is exposed as a <c>gauge</c>.</summary>
    UpDownCounter,

    /// <summary>Last value: Prometheus <c>gauge</c>; unit <c>1</c> becomes <c>_ratio</c>.</summary>
    Gauge,

    /// <summary>Explicit-bucket histogram: Prometheus <c>histogram</c>.</summary>
    Histogram,
}
