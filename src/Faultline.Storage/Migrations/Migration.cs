namespace Faultline.Storage.Migrations;

/// <summary>One numbered schema change, applied at most once.</summary>
public sealed record Migration(int Version, string Name, string Sql);
