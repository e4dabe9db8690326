using System.Collections.Immutable;
using System.Text.RegularExpressions;
using NodeDb.Orleans.Grains.Ddl;
using NodeDb.Orleans.Grains.Diagnostics;
using NodeDb.Orleans.Grains.Schedules;
using NodeDb.Orleans.Grains.Sql.Execution;
using NodeDb.Orleans.Grains.Sql.Text;

namespace NodeDb.Orleans.Grains.Sessions;

/// <summary>The session's read-only answers: a DDL check that creates nothing, and the cluster's silos with their load.</summary>
public sealed partial class SqlSessionGrain
{
    /// <summary>The most next fire times a check lists.</summary>
    public const int MaxCheckCount = 100;

    /// <summary>How long a silo may take to report its load before it is listed as unreachable.</summary>
    private static readonly TimeSpan SiloAnswerTimeout = TimeSpan.FromSeconds(3);

    /// <summary>Who a check names as the owner: the definition needs one, and nothing is stored.</summary>
    private const string CheckOwner = "ddl-check";

    public Task<DdlCheck> CheckCreateAsync(string statement, int count)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (count is < 1 or > MaxCheckCount)
        {
            throw new NodeDbException(ErrorCodes.InvalidDefinition, $"Count {count} is out of range: ask for 1 to {MaxCheckCount} fire times.");
        }

        TenantName.Check(Tenant);
        CreateScheduleStatement create;
        try
        {
            create = DdlParser.Parse(statement) as CreateScheduleStatement
                ?? throw new NodeDbException(ErrorCodes.SyntaxError, "The statement is not a CREATE SCHEDULE: this check takes one CREATE SCHEDULE statement.");
        }
        catch (NodeDbException e)
        {
            return Task.FromResult(Refused(e, PositionIn(e.Message)));
        }

        // The checks the schedule grain makes before it stores a new definition (cron and zone first, so the next fire
        // times are known even when the body is refused).
        var definition = create.ToDefinition(Tenant, CheckOwner);
        var tokens = SqlLexer.Tokenize(statement);
        var verdict = new DdlCheck { Valid = false, Name = create.Name };
        try
        {
            var cron = Scheduling.CronSchedule.Parse(definition.Cron, definition.TimeZone, settings.DefaultZone);
            var now = clock.GetUtcNow();
            verdict = verdict with
            {
                Zone = cron.Zone.Id,
                Next = [.. cron.Next(now, count).Select(o => cron.Zone.ToLocal(o))],
            };
            ScheduleValidator.CheckInterval(cron, definition.Cron, now, _options.MinimumInterval);
        }
        catch (NodeDbException e)
        {
            var at = e.Code == ErrorCodes.InvalidTimeZone ? ValueAfter(tokens, "TIMEZONE", "ZONE") : ValueAfter(tokens, "CRON");
            return Task.FromResult(Refused(e, at) with { Name = create.Name, Zone = verdict.Zone, Next = verdict.Next });
        }

        // The body's own errors name positions inside the body: shifted to the statement, which the user sees.
        var begin = Begin(tokens, statement, definition.Body);
        try
        {
            var rejection = BodyGuard.Check(SqlBody.Parse(definition.Body));
            verdict = verdict with { Body = rejection ?? "accepted" };
            ScheduleValidator.Validate(definition, definition.Key, settings.DefaultZone, runner, settings.Limits);
        }
        catch (NodeDbException e)
        {
            var inBody = e.Code is ErrorCodes.BodyRejected or ErrorCodes.SyntaxError or ErrorCodes.SqlError;
            var at = inBody ? InStatement(PositionIn(e.Message), begin) : PositionIn(e.Message);
            return Task.FromResult(verdict with
            {
                Code = e.Code,
                Error = e.Message,
                Line = at?.Line,
                Column = at?.Column,
                Body = inBody ? e.Message : verdict.Body,
            });
        }

        return Task.FromResult(verdict with { Valid = true });
    }

    public async Task<ImmutableArray<SiloLoad>> GetSilosAsync()
    {
        var members = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status is not (SiloStatus.Dead or SiloStatus.None))
            .OrderBy(m => m.SiloAddress.ToParsableString(), StringComparer.Ordinal)
            .ToList();
        var loads = await Task.WhenAll(members.Select(AskAsync));
        return [.. loads];

        async Task<SiloLoad> AskAsync(ClusterMember member)
        {
            var address = member.SiloAddress.ToParsableString();
            if (member.Status != SiloStatus.Active)
            {
                return new SiloLoad { Address = address, Name = member.Name, Status = Spell(member.Status) };
            }

            try
            {
                return await GrainFactory.GetGrain<ISiloLoadGrain>(address).GetAsync().WaitAsync(SiloAnswerTimeout);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException)
            {
                // Declared dead meanwhile, or too busy to answer: list it without counts rather than fail the whole view.
                return new SiloLoad { Address = address, Name = member.Name, Status = "unreachable", Error = e.Message };
            }
        }
    }

    private static string Spell(SiloStatus status) => status switch
    {
        SiloStatus.ShuttingDown => "shutting down",
        SiloStatus.Stopping => "stopping",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static DdlCheck Refused(NodeDbException e, SqlPosition? at) => new()
    {
        Valid = false,
        Code = e.Code,
        Error = e.Message,
        Line = at?.Line,
        Column = at?.Column,
    };

    /// <summary>The first <c>line:column</c> the parser's message names (every parse error names one).</summary>
    private static SqlPosition? PositionIn(string message) =>
        PositionPattern().Match(message) is { Success: true } m
            ? new SqlPosition(0, int.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture))
            : null;

    /// <summary>Where the literal after the clause keyword starts (the cron's or the zone's quote).</summary>
    private static SqlPosition? ValueAfter(IReadOnlyList<SqlToken> tokens, params string[] keywords)
    {
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            if (tokens[i].IsAnyKeyword(keywords))
            {
                var j = i + 1;
                while (j < tokens.Count && tokens[j].Kind != SqlTokenKind.String && tokens[j].IsAnyKeyword("ZONE"))
                {
                    j++;
                }

                if (j < tokens.Count && tokens[j].Kind == SqlTokenKind.String)
                {
                    return tokens[j].Position;
                }
            }
        }

        return null;
    }

    /// <summary>A position inside the body as a position in the statement whose body starts at <paramref name="begin"/> (the BEGIN itself when the body's error names none).</summary>
    private static SqlPosition? InStatement(SqlPosition? inBody, SqlPosition? begin) => (inBody, begin) switch
    {
        (_, null) => inBody,
        (null, _) => begin,
        ({ } p, { } b) => new SqlPosition(0, b.Line + p.Line - 1, p.Line == 1 ? b.Column + p.Column - 1 : p.Column),
    };

    /// <summary>Where the body starts: the BEGIN from which the rest of the statement is the body (a name may be <c>begin</c> too).</summary>
    private static SqlPosition? Begin(IReadOnlyList<SqlToken> tokens, string statement, string body) =>
        tokens.FirstOrDefault(t => t.IsKeyword("BEGIN") && statement.AsSpan(t.Position.Offset).StartsWith(body, StringComparison.Ordinal)) is { Text: not null } begin
            ? begin.Position
            : null;

    [GeneratedRegex(@"\bat (\d+):(\d+)\b", RegexOptions.CultureInvariant)]
    private static partial Regex PositionPattern();
}
