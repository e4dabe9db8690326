using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>Parses the schedule DDL statements from tokens, clause by clause (never by substring search).</summary>
internal static class ScheduleStatementParser
{
    /// <summary>True when the statement at the cursor is schedule DDL.</summary>
    public static bool IsScheduleStatement(DdlCursor c) =>
        (c.At("CREATE") && (c.PeekIs(1, "SCHEDULE") || (c.PeekIs(1, "OR") && c.PeekIs(2, "REPLACE") && c.PeekIs(3, "SCHEDULE"))))
        || (c.At("ALTER") && c.PeekIs(1, "SCHEDULE"))
        || (c.At("DROP") && c.PeekIs(1, "SCHEDULE"))
        || (c.At("SHOW") && (c.PeekIs(1, "SCHEDULES") || c.PeekIs(1, "SCHEDULE")));

    public static SqlStatement Parse(DdlCursor c)
    {
        var first = c.Current;
        SqlStatement statement = first.Text.ToUpperInvariant() switch
        {
            "CREATE" => ParseCreate(c),
            "ALTER" => ParseAlter(c),
            "DROP" => ParseDrop(c),
            _ => ParseShow(c),
        };

        if (!c.AtStatementEnd)
        {
            throw DdlCursor.Syntax($"Unexpected {c.Current.Describe()} after the end of the {first.Text.ToUpperInvariant()} SCHEDULE statement that starts at {first.Position}: expected ';' or the end of the input.");
        }

        return statement;
    }

    private static CreateScheduleStatement ParseCreate(DdlCursor c)
    {
        var create = c.Current;
        c.Pos++;
        var orReplace = false;
        if (c.Accept("OR"))
        {
            c.Expect("REPLACE", "after CREATE OR");
            orReplace = true;
        }

        c.Expect("SCHEDULE", "after CREATE");
        var ifNotExists = false;
        if (c.At("IF") && c.PeekIs(1, "NOT"))
        {
            var ifToken = c.Current;
            c.Pos += 2;
            c.Expect("EXISTS", "after IF NOT");
            ifNotExists = true;
            if (orReplace)
            {
                throw DdlCursor.Syntax($"CREATE OR REPLACE at {create.Position} cannot be combined with IF NOT EXISTS at {ifToken.Position}: use one or the other.");
            }
        }

        var name = ScheduleNameReader.Read(c, "after CREATE SCHEDULE");
        var clauses = new CreateClauses(name);
        while (!c.At("AS"))
        {
            if (c.AtStatementEnd)
            {
                throw DdlCursor.Syntax($"CREATE SCHEDULE {name} at {create.Position} has no body: expected AS BEGIN … END, found {c.Found()}.");
            }

            clauses.ReadOne(c);
        }

        var asToken = c.Current;
        c.Pos++;
        if (clauses.Cron is null)
        {
            throw DdlCursor.Syntax($"CREATE SCHEDULE {name} at {create.Position} has no CRON clause: add CRON '<expression>' (for example CRON '0 3 * * *') before AS at {asToken.Position}.");
        }

        var body = ReadBody(c, "after AS");
        return new CreateScheduleStatement(name, clauses.Cron, clauses.TimeZone, clauses.Scope, clauses.Options, body, orReplace, ifNotExists);
    }

    private static AlterScheduleStatement ParseAlter(DdlCursor c)
    {
        c.Pos += 2;
        var name = ScheduleNameReader.Read(c, "after ALTER SCHEDULE");
        AlterAction action;
        if (c.Accept("ENABLE"))
        {
            action = new AlterAction.Enable();
        }
        else if (c.Accept("DISABLE"))
        {
            action = new AlterAction.Disable();
        }
        else if (c.At("WITH"))
        {
            c.Pos++;
            action = new AlterAction.SetOptions(ScheduleOptionsParser.Read(c, "after WITH"));
        }
        else if (c.Accept("SET"))
        {
            action = ParseSet(c, name);
        }
        else
        {
            throw DdlCursor.Syntax($"Expected {AlterForms} after ALTER SCHEDULE {name}, found {c.Found()}.");
        }

        return new AlterScheduleStatement(name, action);
    }

    private const string AlterForms = "ENABLE, DISABLE, SET CRON '<expr>', SET TIMEZONE '<zone>', SET SCOPE LOCAL|NORMAL, SET BODY AS BEGIN … END, SET (option = value, …) or WITH (option = value, …)";

    private static AlterAction ParseSet(DdlCursor c, string name)
    {
        if (c.Accept("CRON"))
        {
            return new AlterAction.SetCron(c.ExpectString(CreateClauses.CronExpected, "after SET CRON"));
        }

        if (c.At("TIME") && c.PeekIs(1, "ZONE"))
        {
            c.Pos++;
        }

        if (c.Accept("TIMEZONE") || c.Accept("ZONE"))
        {
            return new AlterAction.SetTimeZone(c.ExpectString(CreateClauses.ZoneExpected, "after SET TIMEZONE"));
        }

        if (c.Accept("SCOPE"))
        {
            return new AlterAction.SetScope(CreateClauses.ReadScope(c));
        }

        if (c.Accept("BODY"))
        {
            c.Accept("AS");
            return new AlterAction.SetBody(ReadBody(c, "after SET BODY AS"));
        }

        if (c.AtSymbol("("))
        {
            return new AlterAction.SetOptions(ScheduleOptionsParser.Read(c, "after SET"));
        }

        throw DdlCursor.Syntax($"Expected CRON, TIMEZONE, SCOPE, BODY or '(' after ALTER SCHEDULE {name} SET, found {c.Found()}.");
    }

    private static DropScheduleStatement ParseDrop(DdlCursor c)
    {
        c.Pos += 2;
        var ifExists = false;
        if (c.At("IF") && c.PeekIs(1, "EXISTS"))
        {
            c.Pos += 2;
            ifExists = true;
        }

        return new DropScheduleStatement(ScheduleNameReader.Read(c, "after DROP SCHEDULE"), ifExists);
    }

    private static SqlStatement ParseShow(DdlCursor c)
    {
        c.Pos++;
        if (c.Accept("SCHEDULES"))
        {
            return new ShowSchedulesStatement();
        }

        c.Pos++;
        c.Expect("HISTORY", "after SHOW SCHEDULE (did you mean SHOW SCHEDULES or SHOW SCHEDULE HISTORY name?)");
        var name = ScheduleNameReader.Read(c, "after SHOW SCHEDULE HISTORY");
        int? limit = null;
        if (c.Accept("LIMIT"))
        {
            limit = OptionValues.ReadInt(c, "LIMIT", minimum: 1);
        }

        return new ShowScheduleHistoryStatement(name, limit);
    }

    /// <summary>Reads <c>BEGIN … END</c> with the body parser, so the END found is the one that closes the block.</summary>
    private static string ReadBody(DdlCursor c, string context)
    {
        if (!c.At("BEGIN"))
        {
            throw DdlCursor.Syntax($"Expected the body BEGIN … END {context}, found {c.Found()}.");
        }

        var block = SqlBlockParser.ParseBlock(c.Tokens, c.Pos, c.Tokens.Count);
        c.Pos = block.EndIndex + 1;
        return SqlBody.FromBlock(c.Source, c.Tokens, block).Text;
    }
}
