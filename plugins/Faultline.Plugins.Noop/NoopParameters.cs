using System.Text.Json;
using Faultline.Sdk.Validation;

namespace Faultline.Plugins.Noop;

/// <summary>
/// The parameters of <c>noop</c>: every one optional, each there only to make a fault fail on purpose so that
/// engine tests can reach the paths a real fault takes when it goes wrong.
/// </summary>
internal sealed record NoopParameters(bool FailInject, TimeSpan InjectDelay, bool FailVerify)
{
    /// <summary>Long enough to outlast a test's inject deadline, short enough that a mistake never stalls a run.</summary>
    public static readonly TimeSpan MaxInjectDelay = TimeSpan.FromSeconds(10);

    public const string Schema = $$"""
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "failInject": { "type": "boolean", "default": false, "description": "Throw from inject after the marker is written, so the host's leftover rollback has something to remove." },
            "injectDelay": { "type": "string", "pattern": "{{DurationText.Pattern}}", "description": "Wait this long inside inject, after the marker is written and honouring cancellation (at most 10s), e.g. \"200ms\"." },
            "failVerify": { "type": "boolean", "default": false, "description": "Verify reports the fault absent even while its marker is present." }
          }
        }
        """;

    public static NoopParameters Default { get; } = new(false, TimeSpan.Zero, false);

    /// <summary>Reads the parameters, adding every problem to <paramref name="errors"/> at its JSON path.</summary>
    public static NoopParameters Parse(JsonElement parameters, List<ParameterError> errors)
    {
        // No parameters at all is the plain noop fault.
        if (parameters.ValueKind is JsonValueKind.Undefined)
        {
            return Default;
        }

        if (parameters.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ParameterError("$", "must be an object."));
            return Default;
        }

        var result = Default;
        foreach (var property in parameters.EnumerateObject())
        {
            var path = $"$.{property.Name}";
            switch (property.Name)
            {
                case "failInject":
                    result = result with { FailInject = Flag(property.Value, path, errors) };
                    break;
                case "failVerify":
                    result = result with { FailVerify = Flag(property.Value, path, errors) };
                    break;
                case "injectDelay":
                    result = result with { InjectDelay = Delay(property.Value, path, errors) };
                    break;
                default:
                    errors.Add(new ParameterError(path, $"is not a parameter of {NoopInjector.InjectorName}."));
                    break;
            }
        }

        return result;
    }

    private static bool Flag(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        errors.Add(new ParameterError(path, "must be true or false."));
        return false;
    }

    private static TimeSpan Delay(JsonElement value, string path, List<ParameterError> errors)
    {
        if (value.ValueKind != JsonValueKind.String || !DurationText.TryParse(value.GetString(), out var delay))
        {
            errors.Add(new ParameterError(path, "must be a duration such as \"200ms\" or \"1.5s\" (units ns, us, ms, s, m, h)."));
            return TimeSpan.Zero;
        }

        if (delay > MaxInjectDelay)
        {
            errors.Add(new ParameterError(path, "must be at most 10s."));
            return TimeSpan.Zero;
        }

        return delay;
    }
}
