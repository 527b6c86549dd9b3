namespace Faultline.Storage.Secrets;

/// <summary>What the engine needs of the secrets: the values of named secrets of one team, opened just before use.</summary>
public interface ISecretReader
{
    /// <summary>
    /// The values of those of <paramref name="names"/> that exist in the team (absent names are simply missing from
    /// the answer); <see cref="SecretDecryptionException"/> when a stored one cannot be opened.
    /// </summary>
    Task<IReadOnlyDictionary<string, string>> ReadValuesAsync(Guid organizationId, Guid teamId, IReadOnlyCollection<string> names, CancellationToken cancellationToken);
}
