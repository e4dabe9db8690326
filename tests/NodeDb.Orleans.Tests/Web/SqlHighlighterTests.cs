using System.Net;
using System.Text.RegularExpressions;
using NodeDb.Orleans.Client.Web.Ui;

namespace NodeDb.Orleans.Tests.Web;

/// <summary>The server-side SQL highlighting: every character kept and encoded, tokens classed, hostile text only text.</summary>
public sealed partial class SqlHighlighterTests
{
    [Theory]
    [InlineData("BEGIN SELECT 1; END")]
    [InlineData("BEGIN\n  -- a comment with 'quotes' and <b>\n  INSERT INTO t VALUES ('it''s', \"col\", $$raw $x$$, $1, 3.5e2); /* block\n*/\nEND")]
    [InlineData("BEGIN SELECT '<script>alert(1)</script>', '\"><img src=x onerror=alert(1)>', 'javascript:alert(1)'; END")]
    [InlineData("BEGIN SELECT 'unterminated")]
    [InlineData("/* unterminated <img src=x>")]
    [InlineData("SELECT $tag$ a $$ b $tag$ & 'x'")]
    public void The_highlighted_html_reads_back_as_the_text_and_holds_no_markup_but_its_spans(string sql)
    {
        var html = SqlHighlighter.Html(sql);
        Assert.Equal(sql, WebUtility.HtmlDecode(SpanTag().Replace(html, "")));
        Assert.DoesNotMatch("<(?!/?span)", html);
        Assert.All(SpanTag().Matches(html), m => Assert.Matches("^(</span>|<span class=\"sql-[kscqn]\">)$", m.Value));
    }

    [Fact]
    public void Keywords_strings_names_numbers_and_comments_get_their_classes()
    {
        var html = SqlHighlighter.Html("select 'a''b', \"Col\", 42 -- note\nfrom t");
        Assert.Equal(
            "<span class=\"sql-k\">select</span> <span class=\"sql-s\">&#x27;a&#x27;&#x27;b&#x27;</span>, <span class=\"sql-q\">&quot;Col&quot;</span>, " +
            "<span class=\"sql-n\">42</span> <span class=\"sql-c\">-- note</span>&#xA;<span class=\"sql-k\">from</span> t",
            html);
    }

    [GeneratedRegex("</?span[^>]*>")]
    private static partial Regex SpanTag();
}
