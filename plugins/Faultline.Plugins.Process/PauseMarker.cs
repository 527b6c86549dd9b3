using System.Text.Json;

namespace Faultline.Plugins.Process;

/// <summary>
/// Written to the plugin's state directory before the process is stopped, removed after it is resumed:
/// what leftover detection finds after a crash between the two.
/// </summary>
internal sealed record PauseMarker(string FaultId, Guid RunId, int Pid, ulong StartTime, int? WatchdogPid, DateTimeOffset InjectedAt, DateTimeOffset ExpiresAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string PathFor(string stateDirectory, string faultId) =>
        System.IO.Path.Combine(stateDirectory, $"pause-{Sanitize(faultId)}.json");

    public void Save(string stateDirectory)
    {
        var path = PathFor(stateDirectory, FaultId);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static IEnumerable<PauseMarker> All(string stateDirectory)
    {
        if (!Directory.Exists(stateDirectory))
        {
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(stateDirectory, "pause-*.json"))
        {
            PauseMarker? marker = null;
            try
            {
                marker = JsonSerializer.Deserialize<PauseMarker>(File.ReadAllText(file), Json);
            }
            catch (Exception exception) when (exception is JsonException or IOException)
            {
                // A torn marker cannot be attributed; it stays for an operator to see.
            }

            if (marker is not null)
            {
                yield return marker;
            }
        }
    }

    private static string Sanitize(string faultId) =>
        new(faultId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
}
