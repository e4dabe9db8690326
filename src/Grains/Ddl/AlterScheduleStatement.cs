namespace NodeDb.Orleans.Grains.Ddl;

/// <summary><c>ALTER SCHEDULE name ENABLE | DISABLE | SET …</c>.</summary>
/// <param name="Name">The lower-cased schedule name.</param>
/// <param name="Action">The one change asked for.</param>
public sealed record AlterScheduleStatement(string Name, AlterAction Action) : SqlStatement
{
    /// <summary>Returns the altered definition; <paramref name="current"/> is not changed.</summary>
    public ScheduleDefinition Apply(ScheduleDefinition current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return Action.ApplyTo(current);
    }
}
