namespace Dashboard.Markdown;

/// <summary>
/// Finds top-level block boundaries in a growing Markdown text, looking at each complete line once.
/// A block ends at a blank line followed by an unindented line (an indented one continues a list
/// item or code), or right after a closing fence that opened unindented. Blank lines inside a
/// fence never split, nor does a blank line between two items of the same list (they make one loose
/// list). A boundary has to be a place where rendering the two halves separately gives exactly
/// the HTML of rendering them together (a property test holds it to that).
/// </summary>
public sealed class MarkdownBlockScanner
{
    private int _scanned;
    private int _blockStart;
    private bool _blockHasContent;
    private bool _sawBlank;
    private char _fenceChar;
    private int _fenceLength;
    private bool _fenceTopLevel;
    private char _listMarker; // the last top-level list item's marker in the open block ('.' or ')' for ordered), or 0

    /// <summary>Start of the open (unfinished) block.</summary>
    public int OpenBlockStart => _blockStart;

    /// <summary>
    /// Scans the complete lines of <paramref name="text"/> not seen yet and calls
    /// <paramref name="onBlockFinished"/> with (start, length) of each block that became finished.
    /// <paramref name="text"/> must extend the text of the previous call.
    /// </summary>
    public void Scan(ReadOnlySpan<char> text, Action<int, int> onBlockFinished)
    {
        while (_scanned < text.Length)
        {
            var newline = text[_scanned..].IndexOf('\n');
            if (newline < 0)
            {
                // The first character of a partial line already tells whether a blank line ended the block:
                // finish it now rather than when the (possibly long) next line completes.
                // A list marker may continue the list: wait for the whole line then.
                if (_sawBlank && _fenceLength == 0 && !char.IsWhiteSpace(text[_scanned]) && !MayContinueList(text[_scanned]))
                {
                    Finish(_scanned, onBlockFinished);
                }

                return;
            }

            var lineStart = _scanned;
            var line = text.Slice(lineStart, newline);
            _scanned = lineStart + newline + 1;
            ScanLine(line, lineStart, onBlockFinished);
        }
    }

    private void ScanLine(ReadOnlySpan<char> line, int lineStart, Action<int, int> onBlockFinished)
    {
        if (_fenceLength > 0)
        {
            if (IsFenceClose(line))
            {
                _fenceLength = 0;
                if (_fenceTopLevel)
                {
                    Finish(_scanned, onBlockFinished);
                }
            }

            return;
        }

        if (line.IsWhiteSpace())
        {
            _sawBlank = _blockHasContent;
            return;
        }

        var indent = Indent(line);
        var marker = indent == 0 ? ListMarker(line) : '\0';
        if (_sawBlank && indent == 0 && (marker == '\0' || marker != _listMarker))
        {
            Finish(lineStart, onBlockFinished);
        }

        if (marker != '\0')
        {
            _listMarker = marker;
        }

        _sawBlank = false;
        _blockHasContent = true;
        TryOpenFence(line, indent);
    }

    private void Finish(int end, Action<int, int> onBlockFinished)
    {
        onBlockFinished(_blockStart, end - _blockStart);
        _blockStart = end;
        _blockHasContent = false;
        _sawBlank = false;
        _listMarker = '\0';
    }

    private bool MayContinueList(char first) =>
        _listMarker != '\0' && (first == _listMarker || char.IsAsciiDigit(first));

    /// <summary>The marker of a list item line: '-', '*' or '+', or the delimiter of an ordered one; else 0.</summary>
    private static char ListMarker(ReadOnlySpan<char> line)
    {
        if (line[0] is '-' or '*' or '+')
        {
            return line.Length == 1 || line[1] is ' ' or '\t' ? line[0] : '\0';
        }

        var digits = 0;
        while (digits < line.Length && digits < 10 && char.IsAsciiDigit(line[digits]))
        {
            digits++;
        }

        if (digits is 0 or > 9 || digits == line.Length || line[digits] is not ('.' or ')'))
        {
            return '\0';
        }

        return digits + 1 == line.Length || line[digits + 1] is ' ' or '\t' ? line[digits] : '\0';
    }

    private void TryOpenFence(ReadOnlySpan<char> line, int indent)
    {
        if (indent > 3)
        {
            return;
        }

        var rest = line[indent..];
        var c = rest[0];
        if (c is not ('`' or '~'))
        {
            return;
        }

        var run = Run(rest, c);
        // A backtick fence's info string may not contain a backtick (CommonMark), else it is inline code.
        if (run < 3 || (c == '`' && rest[run..].Contains('`')))
        {
            return;
        }

        _fenceChar = c;
        _fenceLength = run;
        _fenceTopLevel = indent == 0;
    }

    private bool IsFenceClose(ReadOnlySpan<char> line)
    {
        var indent = Indent(line);
        if (indent > 3 || indent == line.Length)
        {
            return false;
        }

        var rest = line[indent..];
        var run = Run(rest, _fenceChar);
        return run >= _fenceLength && rest[run..].IsWhiteSpace();
    }

    /// <summary>Leading spaces; a tab among them counts as "indented" (4) so it is never sliced as a space.</summary>
    private static int Indent(ReadOnlySpan<char> line)
    {
        var i = 0;
        while (i < line.Length && i < 4)
        {
            if (line[i] == '\t')
            {
                return 4;
            }

            if (line[i] != ' ')
            {
                break;
            }

            i++;
        }

        return i;
    }

    private static int Run(ReadOnlySpan<char> s, char c)
    {
        var n = 0;
        while (n < s.Length && s[n] == c)
        {
            n++;
        }

        return n;
    }
}
