namespace Dashboard.Components.Display;

/// <summary>How free text (prompts, names) is cut for lists and titles, the same on every page.</summary>
public static class DisplayText
{
    public const int ShortLength = 80;

    public static string Shorten(string text, int length = ShortLength) =>
        text.Length <= length ? text : text[..length] + "…";
}
