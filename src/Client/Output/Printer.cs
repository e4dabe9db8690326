using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NodeDb.Orleans.Client.Output;

/// <summary>Writes a command's answer: JSON for <c>--json</c>, Spectre.Console tables and lines otherwise.</summary>
public sealed class Printer(bool json)
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        // Scripts read the output with JSON parsers, not browsers: keep '+' in offsets and non-ASCII text readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    static Printer()
    {
        // Redirected output (a pipe, a file, a test) has no width; Spectre's 80 columns would wrap every table.
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 240;
        }
    }

    public bool Json { get; } = json;

    public void Write(JsonNode? node) => Console.Out.WriteLine(node is null ? "null" : node.ToJsonString(Indented));

    public void Write(IRenderable renderable) => AnsiConsole.Write(renderable);

    /// <summary>A plain line; never parsed as markup, so user text cannot break it.</summary>
    public void Line(string text) => AnsiConsole.Write(new Text(text + Environment.NewLine));

    /// <summary>Prints <paramref name="node"/> under <c>--json</c>, else runs <paramref name="human"/>.</summary>
    public void Answer(Func<JsonNode?> node, Action human)
    {
        if (Json)
        {
            Write(node());
        }
        else
        {
            human();
        }
    }
}
