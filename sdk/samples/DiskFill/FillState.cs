using System.Text.Json.Serialization;

namespace Acme.Faultline.DiskFill;

/// <summary>What a disk.fill handle carries besides its target and fault id: the size verify expects.</summary>
internal sealed record FillState([property: JsonPropertyName("megabytes")] int Megabytes);
