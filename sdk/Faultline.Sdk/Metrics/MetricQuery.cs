using System.Text.Json;

namespace Faultline.Sdk.Metrics;

/// <summary>A provider-specific query (PromQL, a Datadog query) with the provider's configuration (endpoint, auth).</summary>
public sealed record MetricQuery(string Query, JsonElement Configuration);
