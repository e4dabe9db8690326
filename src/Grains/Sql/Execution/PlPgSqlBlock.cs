using System.Text;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Sql.Execution;

/// <summary>Turns a procedural NodeDB body into a PL/pgSQL <c>DO</c> block the server runs itself.</summary>
/// <remarks>
/// NodeDB declares variables with <c>DECLARE</c> statements inside <c>BEGIN … END</c>; PL/pgSQL wants them
/// in a section before <c>BEGIN</c>. Leading <c>DECLARE</c> statements move there, kept verbatim
/// (PL/pgSQL accepts a repeated <c>DECLARE</c> keyword). Everything else, including an
/// <c>EXCEPTION WHEN</c> section, stays in the block in its order.
/// </remarks>
internal static class PlPgSqlBlock
{
    public static string Build(SqlBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var statements = body.Statements;
        var declarations = statements.TakeWhile(IsDeclare).ToList();
        var rest = statements.Skip(declarations.Count).ToList();

        var block = new StringBuilder();
        foreach (var declaration in declarations)
        {
            block.Append(declaration.Trim()).Append(";\n");
        }

        block.Append("BEGIN\n");
        foreach (var statement in rest)
        {
            block.Append(statement.Trim()).Append(";\n");
        }

        block.Append("END");
        var text = block.ToString();
        var tag = Tag(text);
        return $"DO {tag}\n{text}\n{tag}";
    }

    private static bool IsDeclare(string statement)
    {
        var text = statement.TrimStart();
        return text.StartsWith("DECLARE", StringComparison.OrdinalIgnoreCase)
            && (text.Length == 7 || char.IsWhiteSpace(text[7]));
    }

    // The dollar-quote tag must not occur in the body, or the body would end the string early.
    private static string Tag(string text)
    {
        var tag = "$nodedb$";
        for (var n = 1; text.Contains(tag, StringComparison.Ordinal); n++)
        {
            tag = $"$nodedb{n}$";
        }

        return tag;
    }
}
