using Microsoft.Data.Sqlite;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Grains.Sql.Execution.Sqlite;

namespace NodeDb.Orleans.Tests.SqlText;

/// <summary>
/// Generated SQL full of what fooled the old lexer-based splitter (<c>begin</c>/<c>end</c> aliases, <c>;</c> inside
/// strings, quoted and bracketed identifiers, comments SQLite does not nest, trigger bodies, non-ASCII text) goes
/// through the sandbox's splitter in a real SQLite database; it must find exactly the statements the generator wrote.
/// </summary>
public sealed class SqliteSplitterPropertyTests
{
    private static readonly string[] Literals = ["'a;b'", "'it''s; -- no comment'", "'/* ; */'", "'ß;€😀'", "42", "X'3B'", "'BEGIN; END;'"];
    private static readonly string[] Aliases = ["begin", "end", "\"case\"", "[semi;colon]", "`back;tick`", "x", "\"end\""];
    private static readonly string[] Separators = [" ", "\n", " -- note; with ; semicolons\n", " /* /* ; */ ", "\t/* x; */\n", "\r\n  "];

    public static TheoryData<int> Seeds { get; } = new(Enumerable.Range(1, 300));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_splitter_finds_exactly_the_generated_statements(int seed)
    {
        var random = new Random(seed);
        var expected = new List<string> { "CREATE TABLE IF NOT EXISTS t0(a)" };
        var count = random.Next(1, 8);
        for (var i = 0; i < count; i++)
        {
            expected.Add(Statement(random, i));
        }

        var sql = string.Concat(expected.Select(s => s + ";" + Pick(random, Separators)));
        using var connection = new SqliteConnection("Data Source=:memory:;Pooling=False");
        connection.Open();
        using var scope = new SqliteSandbox(new TenantDatabaseOptions()).Enter(connection);
        var found = new List<string>();

        scope.RunTenant(sql, (statement, _) =>
        {
            found.Add(statement);
            using var command = connection.CreateCommand();
            command.CommandText = statement;
            command.ExecuteNonQuery();
        });

        Assert.Equal(expected.Count, found.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.EndsWith(expected[i], found[i], StringComparison.Ordinal);
            var before = found[i][..^expected[i].Length].Trim();
            Assert.True(before.Length == 0 || before.StartsWith("--", StringComparison.Ordinal) || before.StartsWith("/*", StringComparison.Ordinal), $"seed {seed}: '{before}' before statement {i + 1}");
        }
    }

    private static string Statement(Random random, int index) => random.Next(5) switch
    {
        0 => $"SELECT {Pick(random, Literals)} AS {Pick(random, Aliases)}",
        1 => $"INSERT INTO t0(a) VALUES ({Pick(random, Literals)})",
        2 => $"CREATE TRIGGER IF NOT EXISTS tr{index} AFTER INSERT ON t0 BEGIN SELECT {Pick(random, Literals)}; SELECT {Pick(random, Literals)}; END",
        3 => $"SELECT CASE WHEN a = {Pick(random, Literals)} THEN {Pick(random, Literals)} ELSE {Pick(random, Literals)} END AS begin FROM t0 LIMIT 1",
        _ => $"WITH c(x) AS (SELECT {Pick(random, Literals)}) SELECT x AS {Pick(random, Aliases)} FROM c",
    };

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}
