using System.Text;
using System.Text.Json;
using Dashboard.Backends.Common;

namespace Dashboard.Tests.Backends;

public sealed class RecentStringsTests
{
    private readonly RecentStrings _recent = new();

    [Fact]
    public void A_value_seen_recently_is_the_same_string_and_a_new_value_is_a_new_one()
    {
        var first = Read("\"gpt-4o-mini\"");
        var again = Read("\"gpt-4o-mini\"");
        var other = Read("\"chatcmpl-1\"");

        Assert.Equal("gpt-4o-mini", first);
        Assert.Same(first, again);
        Assert.Equal("chatcmpl-1", other);
        Assert.Same(other, Read("\"chatcmpl-1\""));
        Assert.Same(first, Read("\"gpt-4o-mini\""));
    }

    [Fact]
    public void Escaped_and_non_ascii_values_read_as_their_text()
    {
        Assert.Equal("a\"b\n", Read("\"a\\\"b\\n\""));
        Assert.Equal("a\"b\n", Read("\"a\\\"b\\n\""));
        var accented = Read("\"étape 2 → 3\"");
        Assert.Equal("étape 2 → 3", accented);
        Assert.Same(accented, Read("\"étape 2 → 3\""));
        // The same text, escaped: equal, whichever string it is.
        Assert.Equal("étape 2 → 3", Read("\"\\u00e9tape 2 \\u2192 3\""));
    }

    [Fact]
    public void Long_values_are_never_kept_and_many_values_stay_correct()
    {
        var longValue = new string('x', RecentStrings.MaxBytes + 1);
        var a = Read($"\"{longValue}\"");
        var b = Read($"\"{longValue}\"");
        Assert.Equal(longValue, a);
        Assert.NotSame(a, b);

        // Far more distinct values than slots: every read is still its own text.
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal($"stage-{i % 97}", Read($"\"stage-{i % 97}\""));
        }
    }

    private string Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        Assert.True(reader.Read());
        return _recent.Get(ref reader);
    }
}
