using System.Globalization;
using System.Text;

namespace Dashboard.Demo;

/// <summary>
/// Writes JSON text the way each real upstream does, byte for byte: Python's <c>json.dumps</c>
/// defaults (<c>", "</c> / <c>": "</c>, non-ASCII escaped) or compact (pydantic, FastAPI, OpenAI:
/// <c>,</c> / <c>:</c>, UTF-8 kept). Floats are written like Python's <c>repr</c> (<c>0.0</c>,
/// <c>1.0</c>). Hand-written on purpose: the demo must not share a serializer with the decoders
/// that read it.
/// </summary>
public sealed class DemoJson
{
    private readonly StringBuilder _text = new();
    private readonly string _comma;
    private readonly string _colon;
    private readonly bool _asciiOnly;
    private bool _needComma;

    private DemoJson(bool python)
    {
        _comma = python ? ", " : ",";
        _colon = python ? ": " : ":";
        _asciiOnly = python;
    }

    /// <summary>Python <c>json.dumps(obj)</c> with default arguments.</summary>
    public static DemoJson PythonDumps() => new(python: true);

    /// <summary>Compact separators, UTF-8 kept (pydantic / FastAPI responses, OpenAI chunks).</summary>
    public static DemoJson Compact() => new(python: false);

    public DemoJson StartObject() => Open('{');

    public DemoJson EndObject() => Close('}');

    public DemoJson StartArray() => Open('[');

    public DemoJson EndArray() => Close(']');

    public DemoJson Name(string name)
    {
        Separate();
        WriteString(name);
        _text.Append(_colon);
        return this;
    }

    public DemoJson String(string? value)
    {
        Separate();
        if (value is null)
        {
            _text.Append("null");
        }
        else
        {
            WriteString(value);
        }

        _needComma = true;
        return this;
    }

    public DemoJson Number(long value) => Raw(value.ToString(CultureInfo.InvariantCulture));

    public DemoJson Float(double value) => Raw(PythonFloat(value));

    public DemoJson Bool(bool value) => Raw(value ? "true" : "false");

    public DemoJson Null() => Raw("null");

    public DemoJson Property(string name, string? value) => Name(name).String(value);

    public DemoJson Property(string name, long value) => Name(name).Number(value);

    public DemoJson Property(string name, double value) => Name(name).Float(value);

    public DemoJson Property(string name, bool value) => Name(name).Bool(value);

    public DemoJson NullProperty(string name) => Name(name).Null();

    public override string ToString() => _text.ToString();

    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, always with a decimal point or exponent.</summary>
    public static string PythonFloat(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "JSON has no NaN or infinity.");
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.Contains('E', StringComparison.Ordinal))
        {
            return text.Replace("E", "e", StringComparison.Ordinal);
        }

        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }

    private DemoJson Open(char bracket)
    {
        Separate();
        _text.Append(bracket);
        _needComma = false;
        return this;
    }

    private DemoJson Close(char bracket)
    {
        _text.Append(bracket);
        _needComma = true;
        return this;
    }

    private DemoJson Raw(string token)
    {
        Separate();
        _text.Append(token);
        _needComma = true;
        return this;
    }

    /// <summary>A comma goes before a value or name that follows another member; a value right after its name gets none.</summary>
    private void Separate()
    {
        if (_needComma)
        {
            _text.Append(_comma);
        }

        _needComma = false;
    }

    private void WriteString(string value)
    {
        _text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    _text.Append("\\\"");
                    break;
                case '\\':
                    _text.Append("\\\\");
                    break;
                case '\n':
                    _text.Append("\\n");
                    break;
                case '\r':
                    _text.Append("\\r");
                    break;
                case '\t':
                    _text.Append("\\t");
                    break;
                case '\b':
                    _text.Append("\\b");
                    break;
                case '\f':
                    _text.Append("\\f");
                    break;
                default:
                    if (c < 0x20 || (_asciiOnly && c > 0x7F))
                    {
                        _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        _text.Append(c);
                    }

                    break;
            }
        }

        _text.Append('"');
    }
}
