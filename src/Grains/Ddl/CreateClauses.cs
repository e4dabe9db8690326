using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>The clauses between a CREATE SCHEDULE name and AS, in any order, each at most once.</summary>
internal sealed class CreateClauses
{
    public const string CronExpected = "a quoted cron expression such as '0 3 * * *'";
    public const string ZoneExpected = "a quoted time zone such as 'Europe/Berlin' or '+02:00'";

    private readonly string _name;
    private readonly Dictionary<string, SqlToken> _seen = new(StringComparer.Ordinal);

    public CreateClauses(string name)
    {
        _name = name;
    }

    public string? Cron { get; private set; }

    public string? TimeZone { get; private set; }

    public ScheduleScope Scope { get; private set; } = ScheduleScope.Normal;

    public ScheduleOptions Options { get; private set; } = ScheduleOptions.None;

    public void ReadOne(DdlCursor c)
    {
        var token = c.Current;
        var clause = token.IsKeyword("TIME") && c.PeekIs(1, "ZONE") ? "TIMEZONE" : token.Text.ToUpperInvariant();
        if (token.Kind != SqlTokenKind.Identifier || clause is not ("CRON" or "TIMEZONE" or "SCOPE" or "WITH"))
        {
            throw DdlCursor.Syntax($"Expected CRON, TIMEZONE, SCOPE, WITH or AS in CREATE SCHEDULE {_name}, found {token.Describe()}.");
        }

        if (_seen.TryGetValue(clause, out var previous))
        {
            throw DdlCursor.Syntax($"{clause} is given twice in CREATE SCHEDULE {_name}, at {previous.Position} and at {token.Position}: give each clause once.");
        }

        _seen[clause] = token;
        c.Pos += token.IsKeyword("TIME") ? 2 : 1;
        switch (clause)
        {
            case "CRON":
                Cron = c.ExpectString(CronExpected, "after CRON");
                break;
            case "TIMEZONE":
                TimeZone = c.ExpectString(ZoneExpected, "after TIMEZONE");
                break;
            case "SCOPE":
                Scope = ReadScope(c);
                break;
            default:
                Options = ScheduleOptionsParser.Read(c, "after WITH");
                break;
        }
    }

    public static ScheduleScope ReadScope(DdlCursor c)
    {
        var token = c.AtEnd ? default : c.Current;
        return OptionValues.ReadWord(c, "after SCOPE", "LOCAL or NORMAL") switch
        {
            "LOCAL" => ScheduleScope.Local,
            "NORMAL" => ScheduleScope.Normal,
            _ => throw DdlCursor.Invalid($"SCOPE {token.Text} at {token.Position} is not allowed: expected LOCAL or NORMAL."),
        };
    }
}
