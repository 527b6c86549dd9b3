using System.Globalization;
using System.Text.Json;
using Faultline.Sdk.Injection;
using Faultline.Sdk.Targets;
using Faultline.Sdk.Validation;

namespace Acme.Faultline.DiskFill;

/// <summary>
/// The checks of a disk.fill request, shared by ValidateAsync (which reports them all) and InjectAsync (which
/// refuses to act on a request that fails them, whatever the caller validated before).
/// </summary>
internal static class DiskFillRequest
{
    public const int MinMegabytes = 1;
    public const int MaxMegabytes = 1024;

    /// <summary>The JSON Schema of the parameters; <see cref="Check"/> agrees with it (the conformance kit checks both).</summary>
    public const string ParametersSchema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "additionalProperties": false,
          "required": ["megabytes"],
          "properties": {
            "megabytes": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1024,
              "description": "How much disk space to take, in MiB (written as real zeros, not a sparse file)."
            }
          }
        }
        """;

    /// <summary>Every problem with the request, with JSON paths relative to the parameters ($.megabytes) or the target.</summary>
    public static List<ParameterError> Check(FaultRequest request)
    {
        var errors = new List<ParameterError>();
        var megabytes = CheckParameters(request.Parameters, errors);
        var directory = CheckTarget(request.Target, errors);
        if (megabytes is { } size && directory is not null && FreeBytes(directory) is { } free && size * FillFile.BytesPerMegabyte > free)
        {
            // Filling a disk to the last byte is not this fault: it would fail half-way and take the file system down with it.
            errors.Add(new ParameterError("$.megabytes", string.Create(
                CultureInfo.InvariantCulture, $"{size} MiB do not fit: the file system of {directory} has {free / FillFile.BytesPerMegabyte} MiB free.")));
        }

        return errors;
    }

    /// <summary>The size of a request already checked.</summary>
    public static int Megabytes(JsonElement parameters) => parameters.GetProperty("megabytes").GetInt32();

    private static int? CheckParameters(JsonElement parameters, List<ParameterError> errors)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ParameterError("$", "must be an object such as {\"megabytes\": 100}."));
            return null;
        }

        int? megabytes = null;
        var seen = false;
        foreach (var property in parameters.EnumerateObject())
        {
            if (property.Name != "megabytes")
            {
                errors.Add(new ParameterError($"$.{property.Name}", "is not a parameter of disk.fill (its only parameter is megabytes)."));
                continue;
            }

            seen = true;
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out var value))
            {
                errors.Add(new ParameterError("$.megabytes", "must be an integer."));
            }
            else if (value is < MinMegabytes or > MaxMegabytes)
            {
                errors.Add(new ParameterError("$.megabytes", string.Create(
                    CultureInfo.InvariantCulture, $"must be between {MinMegabytes} and {MaxMegabytes} (MiB), not {value}.")));
            }
            else
            {
                megabytes = value;
            }
        }

        if (!seen)
        {
            errors.Add(new ParameterError("$.megabytes", "is required."));
        }

        return megabytes;
    }

    private static string? CheckTarget(Target target, List<ParameterError> errors)
    {
        if (target.Kind != TargetKinds.Directory)
        {
            errors.Add(new ParameterError("target.kind", $"disk.fill acts on '{TargetKinds.Directory}' targets, not '{target.Kind}'."));
            return null;
        }

        if (!Path.IsPathFullyQualified(target.Id))
        {
            errors.Add(new ParameterError("target.id", $"must be an absolute directory path, not '{target.Id}'."));
            return null;
        }

        if (!Directory.Exists(target.Id))
        {
            errors.Add(new ParameterError("target.id", $"directory {target.Id} does not exist."));
            return null;
        }

        return target.Id;
    }

    private static long? FreeBytes(string directory)
    {
        try
        {
            // On Unix DriveInfo takes any path and reports the file system that holds it.
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Unknown free space is no reason to refuse; the write itself fails cleanly if the disk runs full.
            return null;
        }
    }
}
