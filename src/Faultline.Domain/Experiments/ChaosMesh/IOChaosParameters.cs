namespace Faultline.Domain.Experiments.ChaosMesh;

/// <summary>An IOChaos spec's action and action fields as an <c>io.*</c> injector and its parameters.</summary>
internal static class IOChaosParameters
{
    private static readonly Dictionary<string, string> Injectors = new(StringComparer.Ordinal)
    {
        ["latency"] = "io.latency",
        ["fault"] = "io.fault",
        ["attrOverride"] = "io.attr-override",
        ["mistake"] = "io.mistake",
    };

    /// <summary>The fields only one action reads; on another action they would be silently ignored by Chaos Mesh.</summary>
    private static readonly (string Field, string Action)[] ActionFields =
    [
        ("delay", "latency"),
        ("errno", "fault"),
        ("attr", "attrOverride"),
        ("mistake", "mistake"),
    ];

    /// <summary>Chaos Mesh's FUSE operations (IoMethod).</summary>
    private static readonly HashSet<string> Methods = new(StringComparer.Ordinal)
    {
        "lookup", "forget", "getattr", "setattr", "readlink", "mknod", "mkdir", "unlink", "rmdir", "symlink",
        "rename", "link", "open", "read", "write", "flush", "release", "fsync", "opendir", "readdir",
        "releasedir", "fsyncdir", "statfs", "setxattr", "getxattr", "listxattr", "removexattr", "access",
        "create", "getlk", "setlk", "bmap",
    };

    private static readonly string[] FileKinds = ["namedPipe", "charDevice", "blockDevice", "directory", "regularFile", "symlink", "socket"];

    private static readonly string[] Fillings = ["zero", "random"];

    /// <summary>Returns the injector, or null when the action is missing or unknown (already reported).</summary>
    public static string? Translate(ManifestObject spec, ParameterWriter parameters)
    {
        var context = spec.Context;
        var action = spec.Text("action", required: true, $"is required: {string.Join(", ", Injectors.Keys)}.");
        string? injector = null;
        if (action is not null)
        {
            if (Injectors.TryGetValue(action, out injector))
            {
                context.Map(spec.PathOf("action"), FaultlinePaths.Injector);
            }
            else
            {
                context.Error(spec.PathOf("action"), $"must be one of: {string.Join(", ", Injectors.Keys)}.");
            }
        }

        foreach (var (field, owner) in ActionFields)
        {
            if (injector is null)
            {
                spec.Take(field);
            }
            else if (owner != action)
            {
                if (spec.Has(field))
                {
                    context.Error(spec.PathOf(field), $"only applies to action '{owner}', and this action is '{action}'.");
                }
            }
            else if (!spec.Has(field))
            {
                context.Error(spec.PathOf(field), $"is required for action '{owner}'.");
            }
            else
            {
                ActionField(spec, field, parameters);
            }
        }

        if (spec.Text("path") is { } path)
        {
            parameters.Set("path", path, spec.PathOf("path"));
        }

        // Chaos Mesh omits a zero percent and then applies its default, 100: zero never means "never".
        if (spec.WholeNumber("percent", 1, 100) is { } percent)
        {
            parameters.Set("percent", percent, spec.PathOf("percent"));
        }

        if (spec.TextList("methods") is { } methods)
        {
            var unknown = methods.Where(method => !Methods.Contains(method.Value)).ToList();
            foreach (var method in unknown)
            {
                context.Error(method.Path, $"is not an I/O method Chaos Mesh knows ({string.Join(", ", Methods)}).");
            }

            if (unknown.Count == 0)
            {
                parameters.SetList("methods", methods);
            }
        }

        if (spec.Text("volumePath", required: true, "is required: the mount path of the volume to inject into.") is { } volumePath)
        {
            parameters.Set("volumePath", volumePath, spec.PathOf("volumePath"));
        }

        if (spec.TextList("containerNames") is { } containers)
        {
            parameters.SetList("containers", containers);
        }

        return injector;
    }

    private static void ActionField(ManifestObject spec, string field, ParameterWriter parameters)
    {
        switch (field)
        {
            case "delay":
                if (spec.Duration("delay") is { } delay)
                {
                    parameters.Set("delay", delay.Text, delay.Path);
                }

                break;
            case "errno":
                if (spec.WholeNumber("errno", 1, uint.MaxValue, expectation: "must be a positive error number such as 5 (EIO).") is { } errno)
                {
                    parameters.Set("errno", errno, spec.PathOf("errno"));
                }

                break;
            case "attr":
                if (spec.Child("attr") is { } attr)
                {
                    Attributes(attr, parameters.Nested("attr"));
                }

                break;
            case "mistake":
                if (spec.Child("mistake") is { } mistake)
                {
                    Mistake(mistake, parameters.Nested("mistake"));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(field), field, "Not an action field.");
        }
    }

    private static void Attributes(ManifestObject attr, ParameterWriter parameters)
    {
        foreach (var (name, max) in new (string, long)[]
        {
            ("ino", long.MaxValue), ("size", long.MaxValue), ("blocks", long.MaxValue), ("perm", ushort.MaxValue),
            ("nlink", uint.MaxValue), ("uid", uint.MaxValue), ("gid", uint.MaxValue), ("rdev", uint.MaxValue),
        })
        {
            if (attr.WholeNumber(name, 0, max) is { } value)
            {
                parameters.Set(name, value, attr.PathOf(name));
            }
        }

        foreach (var name in new[] { "atime", "mtime", "ctime" })
        {
            if (attr.Child(name) is { } time)
            {
                var nested = parameters.Nested(name);
                if (time.WholeNumber("sec", long.MinValue, long.MaxValue, required: true) is { } sec)
                {
                    nested.Set("sec", sec, time.PathOf("sec"));
                }

                if (time.WholeNumber("nsec", 0, 999_999_999) is { } nsec)
                {
                    nested.Set("nsec", nsec, time.PathOf("nsec"));
                }

                time.RejectUnknown("a Chaos Mesh timespec");
            }
        }

        if (attr.Text("kind") is { } kind)
        {
            if (FileKinds.Contains(kind, StringComparer.Ordinal))
            {
                parameters.Set("kind", kind, attr.PathOf("kind"));
            }
            else
            {
                attr.Context.Error(attr.PathOf("kind"), $"must be one of: {string.Join(", ", FileKinds)}.");
            }
        }

        if (!attr.Names.Any())
        {
            attr.Context.Error(attr.Path, "must override at least one attribute.");
        }

        attr.RejectUnknown("a Chaos Mesh attribute override");
    }

    private static void Mistake(ManifestObject mistake, ParameterWriter parameters)
    {
        if (mistake.Text("filling") is { } filling)
        {
            if (Fillings.Contains(filling, StringComparer.Ordinal))
            {
                parameters.Set("filling", filling, mistake.PathOf("filling"));
            }
            else
            {
                mistake.Context.Error(mistake.PathOf("filling"), $"must be one of: {string.Join(", ", Fillings)}.");
            }
        }

        if (mistake.WholeNumber("maxOccurrences", 1, long.MaxValue) is { } occurrences)
        {
            parameters.Set("maxOccurrences", occurrences, mistake.PathOf("maxOccurrences"));
        }

        if (mistake.WholeNumber("maxLength", 1, long.MaxValue) is { } length)
        {
            parameters.Set("maxLength", length, mistake.PathOf("maxLength"));
        }

        if (!mistake.Names.Any())
        {
            mistake.Context.Error(mistake.Path, "must set filling, maxOccurrences or maxLength.");
        }

        mistake.RejectUnknown("a Chaos Mesh mistake spec");
    }
}
