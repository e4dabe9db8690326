using NodeDb.Orleans.Grains.Ddl;

namespace NodeDb.Orleans.Tests.Ddl;

public sealed class DdlParserErrorTests
{
    private const string Prefix = "CREATE SCHEDULE s CRON '* * * * *' WITH (";
    private const string Body = " AS BEGIN RETURN 1; END";
    private const string Syntax = ErrorCodes.SyntaxError;
    private const string Invalid = ErrorCodes.InvalidDefinition;

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // NodeDB silently defaulted or misread these options.
        { Prefix + "MISSED = LATER)" + Body, Invalid, "MISSED = LATER at 1:51", "SKIP, CATCH_UP or QUEUE" },
        { Prefix + "ALLOW_OVERLAP = 0)" + Body, Invalid, "ALLOW_OVERLAP = 0 at", "true or false" },
        { Prefix + "ALLOW_OVERLAP = 'no')" + Body, Invalid, "ALLOW_OVERLAP = 'no' at", "true or false" },
        { Prefix + "FOO = 1)" + Body, Syntax, "Unknown option 'FOO' at 1:42", "ALLOW_OVERLAP, OVERLAP, MISSED" },
        { Prefix + "RETRIES = 1, retries = 2)" + Body, Invalid, "RETRIES is given twice, at 1:42 and at 1:55", "give each option once" },
        { Prefix + "ALLOW_OVERLAP = true, OVERLAP = SKIP)" + Body, Invalid, "ALLOW_OVERLAP = true at 1:42 contradicts OVERLAP = SKIP", "make them agree" },
        { Prefix + "OVERLAP = ALLOW, ALLOW_OVERLAP = false)" + Body, Invalid, "ALLOW_OVERLAP = false", "contradicts OVERLAP = ALLOW" },
        { Prefix + "OVERLAP = SOMETIMES)" + Body, Invalid, "OVERLAP = SOMETIMES at", "ALLOW, SKIP, BUFFER_ONE or CANCEL_PREVIOUS" },
        { Prefix + "RETRIES = -1)" + Body, Invalid, "RETRIES = -1 at 1:52", "a whole number, 0 or more" },
        { Prefix + "RETRIES = many)" + Body, Syntax, "found 'many' at", "a whole number" },
        { Prefix + "QUEUE_CAP = 0)" + Body, Invalid, "QUEUE_CAP = 0 at", "1 or more" },
        { Prefix + "TIMEOUT = '0s')" + Body, Invalid, "TIMEOUT = '0s' at", "is not positive" },
        { Prefix + "TIMEOUT = -5)" + Body, Invalid, "TIMEOUT = '-5' at", "is not positive" },
        { Prefix + "TIMEOUT = '-1m')" + Body, Invalid, "TIMEOUT = '-1m' at", "is not positive" },
        { Prefix + "TIMEOUT = 'soon')" + Body, Invalid, "TIMEOUT = 'soon' at", "is not a duration: expected a positive duration such as '90s'" },
        { Prefix + "START = 'tomorrow')" + Body, Invalid, "START = 'tomorrow' at", "ISO 8601" },
        { Prefix + "START = '2027-01-01', END = '2026-01-01')" + Body, Invalid, "is after END", "no occurrence could fire" },
        { Prefix + ")" + Body, Syntax, "option list at 1:41 is empty", "leave it out" },
        { Prefix + "RETRIES = 1 TIMEOUT = 5)" + Body, Syntax, "Expected ',' or ')'", "found 'TIMEOUT' at 1:54" },
        { Prefix + "RETRIES = 1," + Body, Syntax, "The option list at 1:41 is not closed", "expected ')' before 'AS' at 1:55" },

        // Clauses.
        { "CREATE SCHEDULE s AS BEGIN RETURN 1; END", Syntax, "has no CRON clause", "before AS at 1:19" },
        { "CREATE SCHEDULE s CRON 0 3 * * * AS BEGIN RETURN 1; END", Syntax, "Expected a quoted cron expression such as '0 3 * * *' after CRON", "found '0' at 1:24" },
        { "CREATE SCHEDULE s CRON '* * * * *'", Syntax, "has no body: expected AS BEGIN … END", "found the end of the input" },
        { "CREATE SCHEDULE s CRON '* * * * *';", Syntax, "has no body", "found ';' at 1:35" },
        { "CREATE SCHEDULE s CRON '* * * * *' AS SELECT 1", Syntax, "Expected the body BEGIN … END after AS", "found 'SELECT' at 1:39" },
        { "CREATE SCHEDULE s CRON '* * * * *' AS BEGIN RETURN 1;", Syntax, "BEGIN at 1:39 has no matching END", "" },
        { "CREATE SCHEDULE s CRON '* * * * *' AS BEGIN RETURN 1; END extra", Syntax, "Unexpected 'extra' at 1:59", "expected ';' or the end of the input" },
        { "CREATE SCHEDULE s CRON '* * * * *'\nAS BEGIN IF x THEN RETURN 1; END; END", Syntax, "END at 2:30 must be written END IF", "the IF at 2:10" },
        { "CREATE SCHEDULE s CRON '* * * * *' CRON '0 * * * *'" + Body, Syntax, "CRON is given twice", "at 1:19 and at 1:36" },
        { "CREATE SCHEDULE s CRON '* * * * *' EVERY 5" + Body, Syntax, "found 'EVERY' at 1:36", "Expected CRON, TIMEZONE, SCOPE, WITH or AS" },
        { "CREATE SCHEDULE s CRON '* * * * *' SCOPE GLOBAL" + Body, Invalid, "SCOPE GLOBAL at 1:42", "LOCAL or NORMAL" },
        { "CREATE SCHEDULE s CRON '* * * * *' TIMEZONE Europe" + Body, Syntax, "a quoted time zone", "found 'Europe' at 1:45" },
        { "CREATE OR REPLACE SCHEDULE IF NOT EXISTS s CRON '* * * * *'" + Body, Syntax, "CREATE OR REPLACE at 1:1 cannot be combined with IF NOT EXISTS at 1:28", "" },
        { "CREATE SCHEDULE s CRON '* * * *", Syntax, "Unterminated string literal starting at 1:24", "" },

        // Names.
        { "CREATE SCHEDULE \"a/b\" CRON '* * * * *'" + Body, Invalid, "Schedule name 'a/b' at 1:17 is invalid", "'/'" },
        { "CREATE SCHEDULE \"bad name\" CRON '* * * * *'" + Body, Invalid, "Schedule name 'bad name' at 1:17", "letters a-z, digits, '_' and '-'" },
        { "DROP SCHEDULE " + new string('x', 64), Invalid, "is 64 characters long, more than 63", "" },
        { "CREATE SCHEDULE CRON '* * * * *'" + Body, Syntax, "in CREATE SCHEDULE cron, found '* * * * *' at 1:22", "Expected CRON, TIMEZONE" },
        { "DROP SCHEDULE", Syntax, "Expected a schedule name after DROP SCHEDULE", "found the end of the input" },

        // Other statements.
        { "DROP SCHEDULE a b", Syntax, "Unexpected 'b' at 1:17 after the end of the DROP SCHEDULE statement", "" },
        { "ALTER SCHEDULE s RENAME TO t", Syntax, "found 'RENAME' at 1:18", "ENABLE, DISABLE, SET CRON" },
        { "ALTER SCHEDULE s SET OWNER bob", Syntax, "Expected CRON, TIMEZONE, SCOPE, BODY or '('", "found 'OWNER'" },
        { "ALTER SCHEDULE s SET CRON", Syntax, "a quoted cron expression", "found the end of the input" },
        { "ALTER SCHEDULE s WITH (MISSED = ALWAYS)", Invalid, "MISSED = ALWAYS", "SKIP, CATCH_UP or QUEUE" },
        { "SHOW SCHEDULE s", Syntax, "Expected HISTORY after SHOW SCHEDULE", "found 's' at 1:15" },
        { "SHOW SCHEDULE HISTORY s LIMIT 0", Invalid, "LIMIT = 0", "1 or more" },
        { "", Syntax, "The statement is empty", "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Refuses_with_a_message_that_quotes_the_text_and_its_position(string sql, string code, string fragment, string expectation)
    {
        var error = Assert.Throws<NodeDbException>(() => DdlParser.Parse(sql));

        Assert.Equal(code, error.Code);
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.Contains(expectation, error.Message, StringComparison.Ordinal);
    }
}
