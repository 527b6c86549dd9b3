namespace Faultline.Storage.Secrets;

/// <summary>
/// Where a node finds its secrets master key: <c>FAULTLINE_SECRETS_KEY</c> (base64 of 32 bytes) or
/// <c>FAULTLINE_SECRETS_KEY_FILE</c> (a file holding that text); the embedded mode (<c>faultline up</c>) falls back
/// to a key file it creates next to its data. A node without a key refuses to start rather than store plaintext.
/// </summary>
public static class MasterKeySource
{
    public const string KeyVariable = "FAULTLINE_SECRETS_KEY";
    public const string KeyFileVariable = "FAULTLINE_SECRETS_KEY_FILE";

    /// <summary>The embedded mode's key file, in its data directory.</summary>
    public const string EmbeddedKeyFileName = "secrets.key";

    public static string MissingKeyMessage =>
        $"no secrets master key: set {KeyVariable} to the base64 of 32 random bytes (`openssl rand -base64 32`) or {KeyFileVariable} " +
        "to a file holding it, the same on every node. Secrets are never stored in plaintext, so the node does not start without one.";

    /// <summary>The key named by the environment; null when neither variable is set.</summary>
    public static MasterKey? FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var text = environment(KeyVariable);
        var file = environment(KeyFileVariable);
        if (!string.IsNullOrWhiteSpace(text) && !string.IsNullOrWhiteSpace(file))
        {
            throw new MasterKeyException($"set either {KeyVariable} or {KeyFileVariable}, not both.");
        }

        if (!string.IsNullOrWhiteSpace(text))
        {
            return MasterKey.FromBase64(text, KeyVariable);
        }

        return string.IsNullOrWhiteSpace(file) ? null : ReadFile(file, $"{KeyFileVariable} ({file})");
    }

    /// <summary>
    /// The embedded mode's key: read from <paramref name="path"/>, or created there on first start, readable by
    /// this user only (0600). The file is written under a temporary name and moved into place, so two nodes
    /// starting together end up with the same key and nobody reads a half-written file.
    /// </summary>
    public static MasterKey LoadOrCreateFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
        {
            return ReadFile(path, path);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = MasterKey.Generate();
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Created with the mode, not chmod-ed after: there is no moment at which others could read it.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var writer = new StreamWriter(temporary, System.Text.Encoding.ASCII, options))
            {
                writer.WriteLine(key.ToBase64());
            }

            File.Move(temporary, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another node created it first: use that one.
            return ReadFile(path, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static MasterKey ReadFile(string path, string source)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new MasterKeyException($"cannot read the secrets key file {source}: {exception.Message}", exception);
        }

        return MasterKey.FromBase64(text, $"the secrets key file {source}");
    }
}
