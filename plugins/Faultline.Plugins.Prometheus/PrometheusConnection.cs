namespace Faultline.Plugins.Prometheus;

/// <summary>One pooled client, and the certificate check of its connections when it has its own (for TLS messages).</summary>
internal sealed record PrometheusConnection(HttpClient Client, CertificateCheck? Check);
