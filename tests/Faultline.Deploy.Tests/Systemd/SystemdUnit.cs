namespace Faultline.Deploy.Tests.Systemd;

/// <summary>A unit file's settings by section, as systemd reads them: comments skipped, a key may repeat.</summary>
internal sealed class SystemdUnit
{
    private readonly Dictionary<(string Section, string Key), List<string>> _settings = [];

    private SystemdUnit(string path) => Path = path;

    public string Path { get; }

    public string? Get(string section, string key) => All(section, key) is [.., var last] ? last : null;

    public IReadOnlyList<string> All(string section, string key) => _settings.GetValueOrDefault((section, key)) ?? [];

    /// <summary>A space-separated list setting (CapabilityBoundingSet=...), all its lines together.</summary>
    public IReadOnlyList<string> Words(string section, string key) =>
        [.. All(section, key).SelectMany(value => value.Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    public static SystemdUnit Load(string path)
    {
        var unit = new SystemdUnit(path);
        var section = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new InvalidDataException($"{path}: '{line}' is neither a section nor a setting");
            }

            var key = (section, line[..equals].Trim());
            if (!unit._settings.TryGetValue(key, out var values))
            {
                unit._settings[key] = values = [];
            }

            values.Add(line[(equals + 1)..].Trim());
        }

        return unit;
    }
}
