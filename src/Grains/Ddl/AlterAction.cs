namespace NodeDb.Orleans.Grains.Ddl;

/// <summary>What one <c>ALTER SCHEDULE</c> changes.</summary>
public abstract record AlterAction
{
    private AlterAction()
    {
    }

    /// <summary>Returns <paramref name="current"/> with this change made.</summary>
    public abstract ScheduleDefinition ApplyTo(ScheduleDefinition current);

    /// <summary><c>ENABLE</c>.</summary>
    public sealed record Enable : AlterAction
    {
        /// <inheritdoc/>
        public override ScheduleDefinition ApplyTo(ScheduleDefinition current) => current with { Enabled = true };
    }

    /// <summary><c>DISABLE</c>.</summary>
    public sealed record Disable : AlterAction
    {
        /// <inheritdoc/>
        public override ScheduleDefinition ApplyTo(ScheduleDefinition current) => current with { Enabled = false };
    }

    /// <summary><c>SET CRON '&lt;expr&gt;'</c>.</summary>
    public sealed record SetCron(string Cron) : AlterAction
    {
        /// <inheritdoc/>
        public override ScheduleDefinition ApplyTo(ScheduleDefinition current) => current with { Cron = Cron };
    }

    /// <summary><c>SET TIMEZONE '&lt;zone&gt;'</c>.</summary>
    public sealed record SetTimeZone(string TimeZone) : AlterAction
    {
        /// <inheritdoc/>
        public override ScheduleDefinition ApplyTo(ScheduleDefinition current) => current with { TimeZone = TimeZone };
    }

    /// <summary><c>SET SCOPE LOCAL|NORMAL</c>.</summary>
    public sealed record SetScope(ScheduleScope Scope) : AlterAction
    {
        /// <inheritdoc/>
        public override ScheduleDefinition ApplyTo(ScheduleDefinition current) => current with { Scope = Scope };
    }

    /// <summary><c>SET BODY AS BEGIN … END</c>.</summary>
    public sealed record SetBody(string Body) : AlterAction
    {
        /// <inheritdoc/>
        public override ScheduleDefinition ApplyTo(ScheduleDefinition current) => current with { Body = Body };
    }

    /// <summary><c>SET (option = value, …)</c> or <c>WITH (…)</c>: only the given options change.</summary>
    public sealed record SetOptions(ScheduleOptions Options) : AlterAction
    {
        /// <inheritdoc/>
        public override ScheduleDefinition ApplyTo(ScheduleDefinition current) => Options.ApplyTo(current);
    }
}
