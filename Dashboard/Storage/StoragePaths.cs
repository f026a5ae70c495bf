namespace Dashboard.Storage;

/// <summary>Where the history file is: the configured path, or the user's local application data folder.</summary>
public static class StoragePaths
{
    public const string FileName = "dashboard.db";
    public const string DemoFileName = "dashboard.demo.db";

    /// <param name="configured">Dashboard:Storage:Path, when set.</param>
    /// <param name="demo">The embedded demo is on: its runs go to their own file beside the real one.</param>
    /// <param name="localAppData">Environment.SpecialFolder.LocalApplicationData (empty for a service without HOME).</param>
    public static string Resolve(string? configured, bool demo, string localAppData)
    {
        string path;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            path = Path.GetFullPath(configured);
        }
        else if (string.IsNullOrEmpty(localAppData))
        {
            throw new StoreRefusedException(
                $"There is no local application data folder to keep history in (is HOME set?). Set {SqliteStoreFile.PathKey} to the history file, or Dashboard:Storage:Provider=memory to keep no history.");
        }
        else
        {
            path = Path.Combine(localAppData, "Dashboard", FileName);
        }

        if (!demo)
        {
            return path;
        }

        var folder = Path.GetDirectoryName(path)!;
        var name = Path.GetFileNameWithoutExtension(path);
        return string.Equals(Path.GetFileName(path), FileName, StringComparison.Ordinal)
            ? Path.Combine(folder, DemoFileName)
            : Path.Combine(folder, name + ".demo" + Path.GetExtension(path));
    }
}
