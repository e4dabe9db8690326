namespace NodeDb.Orleans.Grains.Ddl;

/// <summary><c>CREATE [OR REPLACE] SCHEDULE [IF NOT EXISTS] name CRON '…' [TIMEZONE '…'] [SCOPE …] [WITH (…)] AS BEGIN … END</c>.</summary>
/// <param name="Name">The lower-cased, validated schedule name.</param>
/// <param name="Cron">The cron expression as written (validated later by the scheduler core).</param>
/// <param name="TimeZone">The zone as written, or null for the silo default.</param>
/// <param name="Scope">NORMAL unless <c>SCOPE LOCAL</c>.</param>
/// <param name="Options">The <c>WITH</c> options.</param>
/// <param name="Body">The body from its <c>BEGIN</c> to its <c>END</c>, exactly as written.</param>
/// <param name="OrReplace">True for CREATE OR REPLACE.</param>
/// <param name="IfNotExists">True for IF NOT EXISTS.</param>
public sealed record CreateScheduleStatement(
    string Name,
    string Cron,
    string? TimeZone,
    ScheduleScope Scope,
    ScheduleOptions Options,
    string Body,
    bool OrReplace,
    bool IfNotExists) : SqlStatement
{
    /// <summary>The definition this statement asks for; options not given stay null so silo defaults apply.</summary>
    public ScheduleDefinition ToDefinition(string tenant, string owner)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var definition = new ScheduleDefinition
        {
            Tenant = tenant,
            Name = Name,
            Cron = Cron,
            TimeZone = TimeZone,
            Body = Body,
            Scope = Scope,
            Owner = owner,
        };
        return Options.ApplyTo(definition);
    }
}
