namespace NodeDb.Orleans.Grains.Sql.Text;

/// <summary>Turns an offset into a line and column; built once per text so positions cost a binary search.</summary>
internal sealed class SqlLineMap
{
    private readonly List<int> _lineStarts = [0];

    public SqlLineMap(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public SqlPosition PositionOf(int offset)
    {
        var index = _lineStarts.BinarySearch(offset);
        var line = index >= 0 ? index : ~index - 1;
        return new SqlPosition(offset, line + 1, offset - _lineStarts[line] + 1);
    }
}
